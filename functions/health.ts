import { httpApi, json } from "../shared/http/api";

/** Liveness only: it must answer even when the POS or Shopify is down. */
export const handler = httpApi(async function health() {
  return json(200, { status: "ok" });
});
