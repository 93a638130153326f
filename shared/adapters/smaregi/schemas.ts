import { z } from "zod";

/**
 * Smaregi response payloads. Smaregi sends every number as a JSON string; they become numbers
 * here, at the boundary. A plain number is tolerated too, in case an endpoint deviates.
 */

const integer = z.union([
  z.number().int(),
  z
    .string()
    .regex(/^-?\d+$/)
    .transform(Number),
]);

const id = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative().transform(String)]);

/** `YYYY-MM-DDThh:mm:ssTZD` (Japan time) to ISO 8601 UTC. */
const timestamp = z
  .string()
  .refine((text) => !Number.isNaN(Date.parse(text)), "not a timestamp")
  .transform((text) => new Date(text).toISOString());

/** A date, empty or absent; some endpoints may append a time, so only the date part is kept. */
const optionalDate = z
  .union([z.literal(""), z.string().regex(/^\d{4}-\d{2}-\d{2}/), z.null()])
  .optional()
  .transform((text) => (text ? text.slice(0, 10) : null));

export const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().refine((type) => type.toLowerCase() === "bearer", "not a bearer token"),
  expires_in: integer.pipe(z.number().positive()),
  scope: z.string().optional(),
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
  customerCode: z.string().nullish(),
  customerNo: z.string().nullish(),
  rank: z.string().nullish(),
  lastName: z.string().nullish(),
  firstName: z.string().nullish(),
  status: z
    .enum(["0", "1", "2", "3", "4"])
    .nullish()
    .transform((code) => customerStatuses[code ?? "0"]),
});
export type SmaregiCustomer = z.infer<typeof customerSchema>;
export const customerListSchema = z.array(customerSchema);

export const pointsSchema = z.object({
  customerId: id,
  // A member whose points were never set may come without `point` or with null: no points.
  point: integer.nullish().transform((point) => point ?? 0),
  pointExpireDate: optionalDate,
  updDateTime: timestamp.nullish(),
});
export const pointsListSchema = z.array(pointsSchema);

export const pointAddResponseSchema = z.object({
  customerId: id,
  point: integer,
  pointExpireDate: optionalDate,
  // Absent in the 2022 API; the current one lists the transactions the change created.
  transactionHeadIds: z.array(id).optional().default([]),
});

export const transactionSchema = z.object({
  transactionHeadId: id,
  transactionDateTime: timestamp,
  transactionHeadDivision: z.string(),
  // Null for a sale to a walk-in customer.
  customerId: id.nullish(),
  cancelDivision: z.string().nullish(),
  newPoint: integer.nullish(),
  spendPoint: integer.nullish(),
  storeId: id.nullish(),
});
export type SmaregiTransaction = z.infer<typeof transactionSchema>;
export const transactionListSchema = z.array(transactionSchema);

/** Smaregi's problem body; every field optional because error bodies are read best-effort. */
export const problemSchema = z.object({
  title: z.string().optional(),
  detail: z.string().optional(),
  status: integer.optional(),
});
