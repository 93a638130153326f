import * as z from "zod/mini";
import { userErrorSchema } from "./transport";

/**
 * The Admin GraphQL documents of looking up and changing discount codes, each beside the zod schema
 * of its `data`; creating codes is in discount-creation-operations.ts, customers in
 * customer-operations.ts and their metafields in metafield-operations.ts, so a function that only
 * does one of these carries only its documents.
 */

const discountStatusSchema = z.enum(["ACTIVE", "EXPIRED", "SCHEDULED"]);

/** Fields common to the code discount types; repeated per type because they are union members. */
const discountFields = /* GraphQL */ `
  title
  status
  startsAt
  endsAt
  asyncUsageCount
  usageLimit
  context {
    __typename
    ... on DiscountCustomers { customers { id } }
    ... on DiscountBuyerSelectionAll { all }
  }
  codes(first: 1) { nodes { code } }
`;

export const discountNodeSelection = /* GraphQL */ `
  id
  codeDiscount {
    __typename
    ... on DiscountCodeBasic {
      ${discountFields}
      customerGets {
        value {
          __typename
          ... on DiscountAmount { amount { amount currencyCode } }
        }
      }
    }
    ... on DiscountCodeFreeShipping { ${discountFields} }
    ... on DiscountCodeBxgy { ${discountFields} }
  }
`;

export const discountNodeSchema = z.object({
  id: z.string(),
  codeDiscount: z.object({
    __typename: z.string(),
    // Absent for code discount types this client does not select (e.g. app discounts).
    title: z.optional(z.string()),
    status: z.optional(discountStatusSchema),
    startsAt: z.optional(z.string()),
    endsAt: z.nullish(z.string()),
    asyncUsageCount: z.optional(z.number().check(z.int())),
    usageLimit: z.nullish(z.number().check(z.int())),
    context: z.optional(
      z.object({
        __typename: z.string(),
        customers: z.optional(z.array(z.object({ id: z.string() }))),
      }),
    ),
    codes: z.optional(z.object({ nodes: z.array(z.object({ code: z.string() })) })),
    customerGets: z.optional(
      z.object({
        value: z.object({
          __typename: z.string(),
          amount: z.optional(z.object({ amount: z.string(), currencyCode: z.string() })),
        }),
      }),
    ),
  }),
});
export type DiscountNode = z.infer<typeof discountNodeSchema>;

/** What every mutation returning a code discount answers. */
export const discountPayloadSchema = z.object({
  codeDiscountNode: z.nullable(discountNodeSchema),
  userErrors: z.array(userErrorSchema),
});

export const discountByCode = {
  query: /* GraphQL */ `
    query DiscountByCode($code: String!) {
      codeDiscountNodeByCode(code: $code) { ${discountNodeSelection} }
    }
  `,
  schema: z.object({ codeDiscountNodeByCode: z.nullable(discountNodeSchema) }),
};

export const deactivateDiscount = {
  query: /* GraphQL */ `
    mutation DeactivateCode($id: ID!) {
      discountCodeDeactivate(id: $id) {
        codeDiscountNode { ${discountNodeSelection} }
        userErrors { field message code }
      }
    }
  `,
  schema: z.object({ discountCodeDeactivate: discountPayloadSchema }),
};

export const activateDiscount = {
  query: /* GraphQL */ `
    mutation ActivateCode($id: ID!) {
      discountCodeActivate(id: $id) {
        codeDiscountNode { ${discountNodeSelection} }
        userErrors { field message code }
      }
    }
  `,
  schema: z.object({ discountCodeActivate: discountPayloadSchema }),
};

/** The update mutation of each code discount type, with the argument its input goes in. */
const updateOf = (mutation: string, argument: string, inputType: string) => ({
  mutation,
  query: /* GraphQL */ `
    mutation UpdateCodeDates($id: ID!, $input: ${inputType}!) {
      ${mutation}(id: $id, ${argument}: $input) {
        codeDiscountNode { ${discountNodeSelection} }
        userErrors { field message code }
      }
    }
  `,
  schema: z.object({ [mutation]: discountPayloadSchema }),
});

export const updateDiscount = {
  DiscountCodeBasic: updateOf("discountCodeBasicUpdate", "basicCodeDiscount", "DiscountCodeBasicInput"),
  DiscountCodeFreeShipping: updateOf(
    "discountCodeFreeShippingUpdate",
    "freeShippingCodeDiscount",
    "DiscountCodeFreeShippingInput",
  ),
  DiscountCodeBxgy: updateOf("discountCodeBxgyUpdate", "bxgyCodeDiscount", "DiscountCodeBxgyInput"),
} as const;

export const deleteDiscount = {
  query: /* GraphQL */ `
    mutation DeleteCode($id: ID!) {
      discountCodeDelete(id: $id) {
        deletedCodeDiscountId
        userErrors { field message code }
      }
    }
  `,
  schema: z.object({
    discountCodeDelete: z.object({
      deletedCodeDiscountId: z.nullable(z.string()),
      userErrors: z.array(userErrorSchema),
    }),
  }),
};
