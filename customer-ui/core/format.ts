import type { CatalogReward, CustomerCoupon, Locale } from "./api";
import type { AmountProblem } from "./screen";
import { type StringKey, t } from "./strings";

/** Numbers, money and dates as the customer reads them. */

const tag = (locale: Locale) => (locale === "ja" ? "ja-JP" : "en-US");

/** `1,250 pt` in both languages, as Japanese shops print it. */
export function formatPoints(points: number, locale: Locale): string {
  return `${new Intl.NumberFormat(tag(locale)).format(points)} pt`;
}

/** `+150 pt` / `-500 pt`: a history movement. */
export function formatSignedPoints(points: number, locale: Locale): string {
  const sign = points > 0 ? "+" : points < 0 ? "−" : "";
  return `${sign}${formatPoints(Math.abs(points), locale)}`;
}

export function formatMoney(amount: number, currency: string, locale: Locale): string {
  try {
    return new Intl.NumberFormat(tag(locale), { style: "currency", currency }).format(amount);
  } catch {
    return `${new Intl.NumberFormat(tag(locale)).format(amount)} ${currency}`;
  }
}

/**
 * A calendar date the API gives as `YYYY-MM-DD`, already the shop's local date: formatted as is,
 * with no time-zone shift.
 */
export function formatShopDate(isoDate: string, locale: Locale): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!match) return isoDate;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return new Intl.DateTimeFormat(tag(locale), { dateStyle: "long", timeZone: "UTC" }).format(date);
}

/** An instant (a coupon's end) as a date in the shop's time zone. */
export function formatInstantDate(isoInstant: string, locale: Locale, timeZone: string): string {
  const date = new Date(isoInstant);
  if (Number.isNaN(date.getTime())) return isoInstant;
  try {
    return new Intl.DateTimeFormat(tag(locale), { dateStyle: "long", timeZone }).format(date);
  } catch {
    return new Intl.DateTimeFormat(tag(locale), { dateStyle: "long" }).format(date);
  }
}

/** The rank label: the API's localised label when present, else the POS rank name. */
export function rankLabel(rank: string | null, display: string | undefined): string {
  return display && display.length > 0 ? display : (rank ?? "");
}

export function couponStatusLabel(status: CustomerCoupon["status"], locale: Locale): string {
  return t(locale, `status.${status}` as StringKey);
}

/** What a reward costs: `500 pt`, or `100 pt to 5,000 pt` for a variable reward. */
export function rewardCost(reward: CatalogReward, locale: Locale): string {
  if (reward.cost.kind === "fixed") return formatPoints(reward.cost.points, locale);
  return t(locale, "reward.costVariable", {
    min: formatPoints(reward.cost.minPoints, locale),
    max: formatPoints(reward.cost.maxPoints, locale),
  });
}

export interface CouponFacts {
  /** The value line: `¥500`, `10% off`, `Free shipping`, a free product or a custom reward. */
  value: string;
  /** One line per condition the customer must know before checkout. */
  conditions: string[];
}

/**
 * What a new coupon is worth and when it applies. The conversion answer carries the type and
 * amount; a minimum order or a percentage come from the catalog's reward, when the coupon was
 * issued for one. Entitled products are not in the API: the reward's own description names them.
 */
export function couponFacts(
  coupon: { type?: string | undefined; amount: number; currency: string },
  reward: CatalogReward | undefined,
  locale: Locale,
  shopCurrency: string,
): CouponFacts {
  const type = coupon.type ?? "fixed_discount";
  const conditions: string[] = [];
  let value: string;
  switch (type) {
    case "free_shipping":
      value = t(locale, "condition.freeShipping");
      break;
    case "percentage_discount":
      value = reward?.coupon.percentage
        ? t(locale, "condition.percentage", { percent: reward.coupon.percentage })
        : formatMoney(coupon.amount, coupon.currency, locale);
      break;
    case "free_product":
      value = t(locale, "condition.product");
      break;
    case "custom":
      value = t(locale, "condition.custom");
      break;
    default:
      value = formatMoney(coupon.amount, coupon.currency, locale);
  }
  const minimum = reward?.coupon.minOrderValue;
  conditions.push(
    minimum
      ? t(locale, "condition.minOrder", { amount: formatMoney(minimum, shopCurrency, locale) })
      : t(locale, "condition.noMinimum"),
  );
  if (reward) conditions.push(reward.description[locale]);
  conditions.push(t(locale, "result.oneUse"));
  return { value, conditions };
}

/**
 * The name as the account page greets it: family name first with 様 in Japanese
 * (`山田 太郎 様`), given name first in English (`Taro Yamada`).
 */
export function customerDisplayName(
  name: { firstName?: string | null; lastName?: string | null },
  locale: Locale,
): string {
  const first = name.firstName?.trim() ?? "";
  const last = name.lastName?.trim() ?? "";
  const full = (locale === "ja" ? [last, first] : [first, last]).filter(Boolean).join(" ");
  if (full === "") return t(locale, "greeting.anonymous");
  return t(locale, "greeting", { name: full });
}

/** Why an amount cannot be converted, in the customer's language. */
export function amountMessage(problem: AmountProblem, locale: Locale): string {
  switch (problem.reason) {
    case "empty":
      return t(locale, "use.invalid.empty");
    case "step":
      return t(locale, "use.invalid.step", { unit: problem.unit });
    case "minimum":
      return t(locale, "use.invalid.minimum", { min: formatPoints(problem.min, locale) });
    case "balance":
      return t(locale, "use.invalid.balance", { balance: formatPoints(problem.balance, locale) });
    case "daily":
      return t(locale, "use.invalid.daily", { limit: formatPoints(problem.limit, locale) });
  }
}
