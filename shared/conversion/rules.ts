import { randomBytes } from "node:crypto";
import * as z from "zod/mini";
import { InvalidRequest } from "../errors";

/** The merchant's conversion rules (all configurable per stage). */
export interface ConversionRules {
  /** Points convert in multiples of this unit. */
  unit: number;
  minimum: number;
  /** Points one customer may convert per shop-local day. */
  dailyLimit: number;
  /** Currency units one point is worth (1 point = 1 JPY by default). */
  currencyPerPoint: number;
  currency: string;
  validityDays: number;
  timeZone: string;
}

export function validatePoints(points: number, rules: ConversionRules): void {
  if (!Number.isInteger(points) || points <= 0) {
    throw new InvalidRequest("invalid_points", "points must be a positive whole number");
  }
  if (points < rules.minimum) {
    throw new InvalidRequest("invalid_points", `At least ${rules.minimum} points can be converted at a time`);
  }
  if (points % rules.unit !== 0) {
    throw new InvalidRequest("invalid_points", `Points convert in steps of ${rules.unit}`);
  }
  if (points > rules.dailyLimit) {
    throw new InvalidRequest("invalid_points", `At most ${rules.dailyLimit} points can be converted per day`);
  }
}

export const couponAmountFor = (points: number, rules: ConversionRules) => points * rules.currencyPerPoint;

/** Crockford base32 without look-alike letters, so codes read well aloud at a till. */
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** A conversion id as `newConversionId` draws it: anything else names no conversion. */
export const conversionIdSchema = z
  .string()
  .check(z.regex(new RegExp(`^[${ALPHABET}]{20}$`), "a conversion id is 20 digits and capital letters"));

/** A random, URL-safe conversion id (20 chars, 100 bits). */
export function newConversionId(): string {
  const bytes = randomBytes(20);
  let id = "";
  for (const byte of bytes) id += ALPHABET[byte % 32];
  return id;
}

/**
 * The coupon code is fixed when the conversion is reserved and stored with it, never re-drawn: a
 * retried creation meets Shopify's TAKEN, looks the code up and adopts it, and a compensation can
 * delete "the code of this conversion" without knowing what the creation step returned.
 * Seed format: last 5 digits of the member number, 6 characters, the amount (a reward's coupon
 * ends in what it gives instead, e.g. `10OFF`, `SHIP`, `GIFT`). The 6 characters are
 * drawn at random rather than copied from the conversion id: the id is shown to the customer
 * while the saga runs (202 pending), and a code derivable from it could be used before its points
 * are taken.
 */
export function couponCodeFor(memberNumber: string, suffix: number | string): string {
  return `${memberNumber.slice(-5)}-${newConversionId().slice(0, 6)}-${suffix}`;
}

/**
 * A coupon code as a path names it: any code Shopify accepts (at most 255 characters), so staff can
 * look up and cancel codes whatever made them; its case does not matter.
 */
export const couponCodeSchema = z
  .string()
  .check(
    z.trim(),
    z.minLength(1, "a coupon code is needed"),
    z.maxLength(255, "a coupon code has at most 255 characters"),
  );

/** Coupon validity: from now, for the configured number of days. */
export function couponWindow(now: Date, rules: ConversionRules): { startsAt: string; expiresAt: string } {
  const expires = new Date(now.getTime() + rules.validityDays * 24 * 60 * 60 * 1000);
  return { startsAt: now.toISOString(), expiresAt: expires.toISOString() };
}
