import * as z from "zod/mini";
import { userErrorSchema } from "./transport";

/** The Admin GraphQL documents about customers and their metafields, each beside its `data` schema. */

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

export const customerMetafield = {
  query: /* GraphQL */ `
    query CustomerMetafield($id: ID!, $namespace: String!, $key: String!) {
      customer(id: $id) {
        metafield(namespace: $namespace, key: $key) { id type value compareDigest }
      }
    }
  `,
  schema: z.object({
    customer: z.nullable(
      z.object({
        metafield: z.nullable(
          z.object({ id: z.string(), type: z.string(), value: z.string(), compareDigest: z.string() }),
        ),
      }),
    ),
  }),
};

export const setMetafields = {
  query: /* GraphQL */ `
    mutation SetMetafields($metafields: [MetafieldsSetInput!]!) {
      metafieldsSet(metafields: $metafields) {
        metafields { id compareDigest }
        userErrors { field message code }
      }
    }
  `,
  schema: z.object({
    metafieldsSet: z.object({
      metafields: z.nullable(z.array(z.object({ id: z.string(), compareDigest: z.string() }))),
      userErrors: z.array(userErrorSchema),
    }),
  }),
};
