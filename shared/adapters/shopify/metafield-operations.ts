import * as z from "zod/mini";
import { userErrorSchema } from "./transport";

/** The Admin GraphQL documents about customers' metafields, each beside its `data` schema. */

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
