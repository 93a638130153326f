import * as z from "zod/mini";
import { limitSchema } from "../http/paging";
import { type CancellationRecord, cancellationStatusSchema, cancelReasonSchema } from "./records";

/**
 * The cancellation routes' inputs, parsed by the handlers with these schemas (their documented
 * answers and operations: operations.ts). The body of a parked cancellation's resolution is beside
 * its outcome (resolution-api.ts), as the conversion's is.
 */

export { cancellationResolutionBodySchema } from "./resolution-api";

export const cancelBodySchema = z.object({
  reason: cancelReasonSchema,
  note: z.optional(z.string().check(z.trim(), z.maxLength(500, "note is at most 500 characters"))),
});

export const cancellationListQuerySchema = z.object({
  status: z._default(cancellationStatusSchema, "needs_review"),
  limit: limitSchema,
  cursor: z.optional(z.string().check(z.minLength(1))),
});

/** A cancellation as staff read it; the request hash only serves idempotency checks. */
export function cancellationView({ requestHash: _hash, ...cancellation }: CancellationRecord) {
  return cancellation;
}
