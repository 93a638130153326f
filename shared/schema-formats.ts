import * as z from "zod/mini";
import * as zc from "zod/v4/core";

/**
 * `z.iso.datetime()` and `z.coerce.number()` without going through their namespaces: a bundle that
 * reads `z.iso` or `z.coerce` keeps every schema of that namespace (ISO date, time and duration;
 * coerced string, boolean, bigint and date), used or not. These build the same schemas the
 * namespaced functions build.
 */

/** An ISO 8601 date-time string, as `z.iso.datetime(params)`. */
export const isoDateTime = (params?: zc.$ZodISODateTimeParams): z.ZodMiniISODateTime =>
  zc._isoDateTime(z.ZodMiniISODateTime, params);

/** A number read with `Number(input)` first, as `z.coerce.number()`. */
export const coercedNumber = (params: zc.$ZodNumberParams = {}): z.ZodMiniNumber<unknown> =>
  zc._coercedNumber(z.ZodMiniNumber, params) as z.ZodMiniNumber<unknown>;
