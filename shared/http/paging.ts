import * as z from "zod/mini";
import { coercedNumber } from "../schema-formats";

/** The `limit` query parameter of every listing route: 1 to 100 items a page, 20 when absent. */
export const limitSchema = z._default(
  coercedNumber().check(
    z.int("limit must be a whole number"),
    z.gte(1, "limit must be at least 1"),
    z.lte(100, "limit must be at most 100"),
  ),
  20,
);
