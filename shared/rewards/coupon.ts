import * as z from "zod/mini";
import { isoDateTime } from "../schema-formats";

/**
 * What a reward issues: the coupon template, its texts and the reward as it was when a conversion
 * was reserved. Conversions, their sagas and their resolutions carry and parse these; the catalog's
 * rules (what staff edit, in `model.ts`) build on them. Apart so a function that only handles
 * issued coupons does not bundle the catalog's input schemas.
 */

/** An instant with its offset, as the catalog and the coupon state their dates. */
export const instant = isoDateTime({ offset: true });
const money = z.number().check(z.positive(), z.lte(10_000_000));
const gidList = (type: string) =>
  z
    .array(
      z
        .string()
        .check(
          z.regex(new RegExp(`^gid://shopify/${type}/[1-9]\\d*$`), `expected gid://shopify/${type}/<id>`),
        ),
    )
    .check(z.minLength(1), z.maxLength(100));

export const couponTypes = [
  "fixed_discount",
  "percentage_discount",
  "fixed_rate_discount",
  "free_shipping",
  "free_product",
  "custom",
] as const;
export const couponTypeSchema = z.enum(couponTypes);
export type CouponType = z.infer<typeof couponTypeSchema>;

export const localizedTextSchema = z.object({
  ja: z.string().check(z.trim(), z.minLength(1), z.maxLength(500)),
  en: z.string().check(z.trim(), z.minLength(1), z.maxLength(500)),
});
export type LocalizedText = z.infer<typeof localizedTextSchema>;

/**
 * A custom reward's attributes travel with its coupon events: bounded so a rule stays far inside
 * DynamoDB's 400 KB item, named so no key means something to JavaScript objects.
 */
const maxAttributes = 50;
const attributeKeyPattern = /^[A-Za-z0-9_.-]{1,64}$/;
const reservedAttributeKeys = new Set(["__proto__", "constructor", "prototype"]);

/**
 * The coupon a rule issues: the coupon model's type and properties. Which properties a type can
 * carry is decided by `rewardProblems` (Shopify cannot express every combination); the shape
 * alone is checked here.
 */
export const couponTemplateSchema = z.object({
  type: couponTypeSchema,
  /** fixed_discount and fixed_rate_discount with a fixed cost; custom may carry a value. */
  amount: z.optional(money),
  /** fixed_rate_discount: the currency `amount` is in (ISO 4217). */
  currency: z.optional(z.string().check(z.regex(/^[A-Z]{3}$/, "expected an ISO 4217 code such as JPY"))),
  /** percentage_discount: 1 to 100. */
  percentage: z.optional(z.number().check(z.positive(), z.lte(100))),
  /** Total uses of one issued code. */
  usageLimit: z.optional(z.number().check(z.int(), z.positive(), z.lte(1000))),
  /** Uses per customer; each issued code belongs to one customer. */
  limitPerCustomer: z.optional(z.number().check(z.int(), z.positive(), z.lte(1000))),
  /** The coupon is not usable before this instant. */
  startDate: z.optional(instant),
  /** The coupon ends at this instant; or use `validityDays` from issue. */
  expiryDate: z.optional(instant),
  validityDays: z.optional(z.number().check(z.int(), z.positive(), z.lte(3650))),
  /** The most a percentage discount may take off. */
  capping: z.optional(money),
  /** Order subtotal the coupon needs. */
  minOrderValue: z.optional(money),
  entitledProductIds: z.optional(gidList("Product")),
  entitledVariantIds: z.optional(gidList("ProductVariant")),
  entitledCollectionIds: z.optional(gidList("Collection")),
  /** free_product: how many of the entitled items are free (1 by default). */
  giftQuantity: z.optional(z.number().check(z.int(), z.positive(), z.lte(10))),
  /** free_product: what must be in the cart for the gift (Shopify's "customer buys"). */
  qualifyingPurchase: z.optional(
    z.object({
      quantity: z.number().check(z.int(), z.positive(), z.lte(100)),
      productIds: z.optional(gidList("Product")),
      variantIds: z.optional(gidList("ProductVariant")),
      collectionIds: z.optional(gidList("Collection")),
    }),
  ),
  /** custom: opaque values handed to the merchant's integration with the coupon. */
  attributes: z.optional(
    z
      .record(
        z.string().check(
          z.regex(attributeKeyPattern, "attribute names are 1 to 64 letters, digits, '_', '-' or '.'"),
          z.refine((key) => !reservedAttributeKeys.has(key), {
            message: "attribute names may not be __proto__, constructor or prototype",
          }),
        ),
        z.string().check(z.maxLength(500, "attribute values have at most 500 characters")),
      )
      .check(
        z.refine((attributes) => Object.keys(attributes).length <= maxAttributes, {
          message: `at most ${maxAttributes} attributes`,
        }),
      ),
  ),
});
export type CouponTemplate = z.infer<typeof couponTemplateSchema>;

export const rewardIdSchema = z
  .string()
  .check(z.regex(/^[a-z0-9][a-z0-9-]{2,63}$/, "3 to 64 lower-case letters, digits and dashes"));

/**
 * The rule as it was when a conversion was reserved, stored with the conversion: every saga step
 * and a replay build the same coupon even if the rule changes meanwhile.
 */
export const issuedRewardSchema = z.object({
  rewardId: rewardIdSchema,
  version: z.number().check(z.int(), z.positive()),
  name: localizedTextSchema,
  coupon: couponTemplateSchema,
  /** When the conversion was reserved. */
  issuedAt: instant,
});
export type IssuedReward = z.infer<typeof issuedRewardSchema>;
