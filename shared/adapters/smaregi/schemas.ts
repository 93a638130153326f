import * as z from "zod/mini";

/**
 * Smaregi response payloads. Smaregi sends every number as a JSON string; they become numbers
 * here, at the boundary. A plain number is tolerated too, in case an endpoint deviates. The
 * answer to a point change is the ledger's (`ledger.ts`): only the functions that move points read it.
 */

export const integer = z.union([
  z.number().check(z.int()),
  z.pipe(z.string().check(z.regex(/^-?\d+$/)), z.transform(Number)),
]);

export const id = z.union([
  z.string().check(z.regex(/^\d+$/)),
  z.pipe(z.number().check(z.int(), z.nonnegative()), z.transform(String)),
]);

/** `YYYY-MM-DDThh:mm:ssTZD` (Japan time) to ISO 8601 UTC. */
const timestamp = z.pipe(
  z.string().check(z.refine((text) => !Number.isNaN(Date.parse(text)), "not a timestamp")),
  z.transform((text) => new Date(text).toISOString()),
);

/** A date, empty or absent; some endpoints may append a time, so only the date part is kept. */
export const optionalDate = z.pipe(
  z.optional(z.union([z.literal(""), z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}/)), z.null()])),
  z.transform((text) => (text ? text.slice(0, 10) : null)),
);

export const tokenResponseSchema = z.object({
  access_token: z.string().check(z.minLength(1)),
  token_type: z.string().check(z.refine((type) => type.toLowerCase() === "bearer", "not a bearer token")),
  expires_in: z.pipe(integer, z.number().check(z.positive())),
  scope: z.optional(z.string()),
});
export type TokenResponse = z.infer<typeof tokenResponseSchema>;

const customerStatuses = {
  "0": "active",
  "1": "suspended",
  "2": "lost",
  "3": "withdrawn",
  "4": "merged",
} as const;

export const customerSchema = z.object({
  customerId: id,
  customerCode: z.nullish(z.string()),
  customerNo: z.nullish(z.string()),
  rank: z.nullish(z.string()),
  lastName: z.nullish(z.string()),
  firstName: z.nullish(z.string()),
  status: z.pipe(
    z.nullish(z.enum(["0", "1", "2", "3", "4"])),
    z.transform((code) => customerStatuses[code ?? "0"]),
  ),
});
export type SmaregiCustomer = z.infer<typeof customerSchema>;
export const customerListSchema = z.array(customerSchema);

export const pointsSchema = z.object({
  customerId: id,
  // A member whose points were never set may come without `point` or with null: no points.
  point: z.pipe(
    z.nullish(integer),
    z.transform((point) => point ?? 0),
  ),
  pointExpireDate: optionalDate,
  updDateTime: z.nullish(timestamp),
});
export const pointsListSchema = z.array(pointsSchema);

export const transactionSchema = z.object({
  transactionHeadId: id,
  transactionDateTime: timestamp,
  transactionHeadDivision: z.string(),
  // Null for a sale to a walk-in customer.
  customerId: z.nullish(id),
  cancelDivision: z.nullish(z.string()),
  newPoint: z.nullish(integer),
  spendPoint: z.nullish(integer),
  storeId: z.nullish(id),
});
export type SmaregiTransaction = z.infer<typeof transactionSchema>;
export const transactionListSchema = z.array(transactionSchema);

/** Smaregi's problem body; every field optional because error bodies are read best-effort. */
export const problemSchema = z.object({
  title: z.optional(z.string()),
  detail: z.optional(z.string()),
  status: z.optional(integer),
});
