import * as z from "zod/mini";

/** The Admin GraphQL documents the client sends, each beside the zod schema of its `data`. */

const userErrorSchema = z.object({
  field: z.nullish(z.array(z.string())),
  message: z.string(),
  code: z.nullish(z.string()),
});

export type UserErrors = z.infer<typeof userErrorSchema>[];

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

const discountNodeSelection = /* GraphQL */ `
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

const createPayloadSchema = z.object({
  codeDiscountNode: z.nullable(discountNodeSchema),
  userErrors: z.array(userErrorSchema),
});

export const createBasicDiscount = {
  query: /* GraphQL */ `
    mutation CreateAmountOffCode($input: DiscountCodeBasicInput!) {
      discountCodeBasicCreate(basicCodeDiscount: $input) {
        codeDiscountNode { ${discountNodeSelection} }
        userErrors { field message code }
      }
    }
  `,
  schema: z.object({ discountCodeBasicCreate: createPayloadSchema }),
};

export const createFreeShippingDiscount = {
  query: /* GraphQL */ `
    mutation CreateFreeShippingCode($input: DiscountCodeFreeShippingInput!) {
      discountCodeFreeShippingCreate(freeShippingCodeDiscount: $input) {
        codeDiscountNode { ${discountNodeSelection} }
        userErrors { field message code }
      }
    }
  `,
  schema: z.object({ discountCodeFreeShippingCreate: createPayloadSchema }),
};

export const createBxgyDiscount = {
  query: /* GraphQL */ `
    mutation CreateBuyXGetYCode($input: DiscountCodeBxgyInput!) {
      discountCodeBxgyCreate(bxgyCodeDiscount: $input) {
        codeDiscountNode { ${discountNodeSelection} }
        userErrors { field message code }
      }
    }
  `,
  schema: z.object({ discountCodeBxgyCreate: createPayloadSchema }),
};

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
  schema: z.object({ discountCodeDeactivate: createPayloadSchema }),
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
  schema: z.object({ discountCodeActivate: createPayloadSchema }),
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
  schema: z.object({ [mutation]: createPayloadSchema }),
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
