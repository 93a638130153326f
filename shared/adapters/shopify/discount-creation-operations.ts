import * as z from "zod/mini";
import { discountNodeSelection, discountPayloadSchema } from "./discount-operations";

/** The Admin GraphQL documents that create code discounts, one per type, each beside its `data` schema. */

export const createBasicDiscount = {
  query: /* GraphQL */ `
    mutation CreateAmountOffCode($input: DiscountCodeBasicInput!) {
      discountCodeBasicCreate(basicCodeDiscount: $input) {
        codeDiscountNode { ${discountNodeSelection} }
        userErrors { field message code }
      }
    }
  `,
  schema: z.object({ discountCodeBasicCreate: discountPayloadSchema }),
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
  schema: z.object({ discountCodeFreeShippingCreate: discountPayloadSchema }),
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
  schema: z.object({ discountCodeBxgyCreate: discountPayloadSchema }),
};
