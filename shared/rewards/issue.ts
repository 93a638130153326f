import { InvalidRequest, LoyaltyError, NotFound, Unprocessable } from "../errors";
import type { CouponTemplate, IssuedReward } from "./coupon";
import type { RewardCost, RewardRule } from "./model";

/**
 * Turning a rule into one conversion's terms, at reservation: the points, the coupon's value and
 * window, and the rule's snapshot stored with the conversion.
 */

/** A variable reward's points outside the rule's bounds; names the bound. */
export class PointsOutOfRange extends LoyaltyError {
  override readonly name: string = "PointsOutOfRange";
  readonly status = 422;
  readonly code = "points_out_of_range";
  readonly title = "Points outside the reward's bounds";
  override readonly extensions: Readonly<Record<string, string | number>>;
  constructor(bound: "minPoints" | "maxPoints", limit: number, points: number) {
    super(
      bound === "minPoints"
        ? `This reward needs at least ${limit} points (minPoints); ${points} were asked for`
        : `This reward takes at most ${limit} points (maxPoints); ${points} were asked for`,
    );
    this.extensions = { bound, limit };
  }
}

export interface RewardTerms {
  points: number;
  /** The coupon's money value in `currency` (0 for percentage, shipping and product rewards). */
  amount: number;
  currency: string;
  startsAt: string;
  expiresAt: string;
  /** Last part of the code, telling staff at a till what the coupon is. */
  codeSuffix: string;
  reward: IssuedReward;
}

export interface IssueContext {
  now: Date;
  shopCurrency: string;
  /** Validity when the template gives neither an expiry date nor validity days. */
  defaultValidityDays: number;
}

const day = 24 * 60 * 60 * 1000;

/** Active now: switched on, inside its window, and its coupons would not be born expired. */
export function isRewardActive(rule: RewardRule, now: Date): boolean {
  if (!rule.active) return false;
  const at = now.getTime();
  if (rule.activeFrom && Date.parse(rule.activeFrom) > at) return false;
  if (rule.activeUntil && Date.parse(rule.activeUntil) <= at) return false;
  if (rule.coupon.expiryDate && Date.parse(rule.coupon.expiryDate) <= at) return false;
  return true;
}

/** The cheapest price of a rule: what "affordable" is measured against. */
export const minimumPointsOf = (cost: RewardCost) => (cost.kind === "fixed" ? cost.points : cost.minPoints);

function pointsFor(cost: RewardCost, requested: number | undefined): number {
  if (cost.kind === "fixed") {
    if (requested !== undefined && requested !== cost.points) {
      throw new InvalidRequest(
        "invalid_points",
        `This reward costs ${cost.points} points; send only {"rewardId"} (or points equal to ${cost.points})`,
      );
    }
    return cost.points;
  }
  if (requested === undefined) {
    throw new InvalidRequest(
      "invalid_points",
      `This reward takes a number of points from ${cost.minPoints} to ${cost.maxPoints}; send {"rewardId", "points"}`,
    );
  }
  if (!Number.isInteger(requested) || requested <= 0) {
    throw new InvalidRequest("invalid_points", "points must be a positive whole number");
  }
  if (requested < cost.minPoints) throw new PointsOutOfRange("minPoints", cost.minPoints, requested);
  if (requested > cost.maxPoints) throw new PointsOutOfRange("maxPoints", cost.maxPoints, requested);
  if (requested % cost.pointsPerUnit !== 0) {
    throw new InvalidRequest(
      "invalid_points",
      `This reward converts in steps of ${cost.pointsPerUnit} points (pointsPerUnit)`,
    );
  }
  return requested;
}

function couponValueOf(template: CouponTemplate, cost: RewardCost, points: number): number {
  if (cost.kind === "variable") return points / cost.pointsPerUnit;
  switch (template.type) {
    case "fixed_discount":
    case "fixed_rate_discount":
    case "custom":
      return template.amount ?? 0;
    default:
      return 0;
  }
}

function codeSuffixOf(template: CouponTemplate, amount: number): string {
  switch (template.type) {
    case "fixed_discount":
    case "fixed_rate_discount":
      return String(amount);
    case "percentage_discount":
      return `${template.percentage ?? 0}OFF`.replace(".", "_");
    case "free_shipping":
      return "SHIP";
    case "free_product":
      return "GIFT";
    case "custom":
      return "RWD";
  }
}

export function termsOf(
  rule: RewardRule | undefined,
  rewardId: string,
  requestedPoints: number | undefined,
  context: IssueContext,
): RewardTerms {
  // An inactive or unknown reward reads the same to a customer: not offered.
  if (!rule) throw new NotFound("reward_not_found", `No reward ${rewardId}`);
  if (!isRewardActive(rule, context.now)) {
    throw new Unprocessable("reward_unavailable", `The reward ${rewardId} is not offered at the moment`);
  }
  const points = pointsFor(rule.cost, requestedPoints);
  const template = rule.coupon;
  const amount = couponValueOf(template, rule.cost, points);
  const now = context.now.getTime();
  const starts = Math.max(now, template.startDate ? Date.parse(template.startDate) : now);
  const expires = template.expiryDate
    ? Date.parse(template.expiryDate)
    : starts + (template.validityDays ?? context.defaultValidityDays) * day;
  return {
    points,
    amount,
    currency: template.currency ?? context.shopCurrency,
    startsAt: new Date(starts).toISOString(),
    expiresAt: new Date(expires).toISOString(),
    codeSuffix: codeSuffixOf(template, amount),
    reward: {
      rewardId: rule.rewardId,
      version: rule.version,
      name: rule.name,
      coupon: template,
      issuedAt: context.now.toISOString(),
    },
  };
}
