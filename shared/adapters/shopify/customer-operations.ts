import * as z from "zod/mini";

/** The Admin GraphQL document about a customer, beside its `data` schema (metafields: `metafield-operations.ts`). */

export const customerById = {
  query: /* GraphQL */ `
    query Customer($id: ID!) {
      customer(id: $id) {
        id
        defaultEmailAddress { emailAddress }
        firstName
        lastName
        displayName
        locale
      }
    }
  `,
  schema: z.object({
    customer: z.nullable(
      z.pipe(
        z.object({
          id: z.string(),
          // Customer.email is deprecated for this since 2026-04.
          defaultEmailAddress: z.nullable(z.object({ emailAddress: z.string() })),
          firstName: z.nullable(z.string()),
          lastName: z.nullable(z.string()),
          displayName: z.string(),
          locale: z.string(),
        }),
        z.transform(({ defaultEmailAddress, ...customer }) => ({
          ...customer,
          email: defaultEmailAddress?.emailAddress ?? null,
        })),
      ),
    ),
  }),
};
