import * as z from "zod/mini";
import { isoDateTime } from "../schema-formats";

/**
 * The reward catalog's model: a rule says what a customer pays in points and which coupon they
 * get. One zod schema beside each inferred type; the admin API parses with the input schemas and
 * the store parses stored items with the record schema.
 */

const instant = isoDateTime({ offset: true });
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

export const rewardCostSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("fixed"), points: z.number().check(z.int(), z.positive(), z.lte(1_000_000)) }),
  z.object({
    kind: z.literal("variable"),
    /** Points that buy one unit of the coupon's currency (1 = 1 point per yen). */
    pointsPerUnit: z.number().check(z.int(), z.positive(), z.lte(10_000)),
    minPoints: z.number().check(z.int(), z.positive()),
    maxPoints: z.number().check(z.int(), z.positive()),
  }),
]);
export type RewardCost = z.infer<typeof rewardCostSchema>;

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

/** What an admin sends to create (POST) or replace (PUT) a rule. */
export const rewardInputSchema = z.object({
  name: localizedTextSchema,
  description: localizedTextSchema,
  cost: rewardCostSchema,
  /** Offered from / until these instants; open-ended when absent. */
  activeFrom: z.optional(instant),
  activeUntil: z.optional(instant),
  /** False deactivates the rule: it leaves the catalog and converts no more. */
  active: z._default(z.boolean(), true),
  coupon: couponTemplateSchema,
});
export type RewardInput = z.infer<typeof rewardInputSchema>;

export const rewardIdSchema = z
  .string()
  .check(z.regex(/^[a-z0-9][a-z0-9-]{2,63}$/, "3 to 64 lower-case letters, digits and dashes"));

export const newRewardSchema = z.extend(rewardInputSchema, { rewardId: z.optional(rewardIdSchema) });

export const replaceRewardSchema = z.extend(rewardInputSchema, {
  /** The version read before editing; a concurrent change makes the save a 409. */
  version: z.optional(z.number().check(z.int(), z.positive())),
});

export const rewardRuleSchema = z.extend(rewardInputSchema, {
  rewardId: rewardIdSchema,
  active: z.boolean(),
  version: z.number().check(z.int(), z.positive()),
  createdAt: instant,
  updatedAt: instant,
  createdBy: z.string().check(z.minLength(1)),
  updatedBy: z.string().check(z.minLength(1)),
});
export type RewardRule = z.infer<typeof rewardRuleSchema>;

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
