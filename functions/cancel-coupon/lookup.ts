import { cancellationListQuerySchema, cancellationView } from "../../shared/cancellation/api";
import { httpApi, json } from "../../shared/http/api";
import { invalidRequestFrom } from "../../shared/http/problem";
import { adminOf } from "../runtime";
import { cancellationStore } from "./root";

/**
 * GET /v1/admin/cancellations (viewer or admin): cancellations of one status, newest first; by
 * default the ones waiting for an operator (`needs_review`).
 */
export const handler = httpApi(async function listCancellations(event) {
  adminOf(event, "viewer");
  const parsed = cancellationListQuerySchema.safeParse(event.queryStringParameters ?? {});
  if (!parsed.success) throw invalidRequestFrom(parsed.error);
  const { status, ...page } = parsed.data;
  const result = await cancellationStore().listCancellationsByStatus(status, page);
  return json(200, {
    cancellations: result.items.map(cancellationView),
    ...(result.nextCursor ? { nextCursor: result.nextCursor } : {}),
  });
});
