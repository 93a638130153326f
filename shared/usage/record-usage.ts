import { LoyaltyError, ShopifyUnavailable } from "../errors";
import {
  type AuditOutcome,
  type CouponRecord,
  type CouponStatus,
  CouponStatusConflict,
  DuplicateAuditEvent,
} from "../store";
import type { OrderUsage, UsageTopic } from "./order";
import type { UsageDependencies } from "./ports";

/**
 * Usage sync: a code redeemed at checkout becomes `used` in DynamoDB and in the customer's coupon
 * record. Every step is idempotent, because Shopify sends two topics per order and retries each
 * delivery for hours.
 */

export type UsageOutcome =
  /** The coupon is now `used` by this order. */
  | "marked_used"
  /** An earlier delivery (the other topic, or a retry) recorded this order already. */
  | "already_used"
  /** The coupon was used by another order before: recorded in the audit trail, nothing changed. */
  | "used_by_another_order"
  /** Cancelled (points refunded) or being cancelled, yet redeemed: flagged for the admins. */
  | "used_while_cancelled"
  /** Not one of our coupons (a code of another app or a manual discount). */
  | "not_ours";

export interface CodeUsage {
  code: string;
  outcome: UsageOutcome;
}

export interface Delivery {
  topic: UsageTopic;
  webhookId: string;
}

/** States a redeemed coupon leaves for `used`; an expired or deactivated code Shopify still took is used all the same. */
const markable: readonly CouponStatus[] = ["active", "inactive", "expired"];
const actor = { kind: "system", id: "webhooks/shopify" } as const;
const maxAttempts = 3;

export async function recordOrderUsage(
  deps: UsageDependencies,
  usage: OrderUsage,
  delivery: Delivery,
): Promise<CodeUsage[]> {
  return Promise.all(usage.codes.map((code) => recordCodeUsage(deps, code, usage, delivery)));
}

async function recordCodeUsage(
  deps: UsageDependencies,
  code: string,
  usage: OrderUsage,
  delivery: Delivery,
): Promise<CodeUsage> {
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const coupon = await deps.coupons.getCoupon(code);
    if (coupon === undefined) return { code, outcome: "not_ours" };
    try {
      return await applyUsage(deps, coupon, usage, delivery);
    } catch (error) {
      // A cancellation or the order's other topic changed the coupon between read and write: read again.
      if (error instanceof CouponStatusConflict && attempt < maxAttempts) continue;
      throw error;
    }
  }
  throw new Error(`Coupon ${code} kept changing while its use was being recorded`);
}

async function applyUsage(
  deps: UsageDependencies,
  coupon: CouponRecord,
  usage: OrderUsage,
  delivery: Delivery,
): Promise<CodeUsage> {
  const code = coupon.code;
  if (coupon.status === "used") {
    if (coupon.orderId !== usage.orderId) {
      await audit(deps, coupon, usage, delivery, {
        type: "coupon.used",
        outcome: "skipped",
        detail: `order ${usage.orderName ?? usage.orderId} lists the code, but order ${coupon.orderId ?? "unknown"} used it first`,
        eventId: `coupon-used-${usage.orderId}`,
        at: usage.usedAt,
      });
      return { code, outcome: "used_by_another_order" };
    }
    await finishUsed(deps, coupon, usage, delivery);
    return { code, outcome: "already_used" };
  }

  if (markable.includes(coupon.status)) {
    const used = await deps.coupons.updateCouponStatus(code, [coupon.status], {
      status: "used",
      orderId: usage.orderId,
      usedAt: usage.usedAt,
    });
    await finishUsed(deps, used, usage, delivery);
    return { code, outcome: "marked_used" };
  }

  // `cancelled` / `cancelling`: the status stays (its points were, or are being, refunded) but the
  // order is recorded on the coupon so that search and the cancellation saga can see it.
  if (coupon.orderId === usage.orderId) return { code, outcome: "used_while_cancelled" };
  const flagged = await deps.coupons.updateCouponStatus(code, [coupon.status], {
    orderId: usage.orderId,
    usedAt: usage.usedAt,
  });
  const refunded = flagged.status === "cancelled";
  await audit(deps, flagged, usage, delivery, {
    type: "coupon.used_while_cancelled",
    outcome: "failed",
    detail: refunded
      ? `order ${usage.orderName ?? usage.orderId} redeemed the code after it was cancelled and its points refunded`
      : `order ${usage.orderName ?? usage.orderId} redeemed the code while it was being cancelled`,
    eventId: `coupon-used-${usage.orderId}`,
    at: usage.usedAt,
  });
  // While `cancelling`, the saga's usage re-check decides; once `cancelled`, only a person can.
  if (refunded) {
    await deps.alerts.raise("needs_review", `Cancelled coupon ${code} was used by an order`, {
      code,
      customerId: flagged.customerId,
      orderId: usage.orderId,
      orderName: usage.orderName ?? "",
      pointsRefunded: flagged.pointsUsed,
      cancelledAt: flagged.cancelledAt ?? "",
      action:
        "The points were refunded and the discount was still applied; decide whether to take the points back.",
    });
  }
  return { code, outcome: "used_while_cancelled" };
}

/** The coupon record and the audit event; both are safe to repeat. */
async function finishUsed(
  deps: UsageDependencies,
  coupon: CouponRecord,
  usage: OrderUsage,
  delivery: Delivery,
): Promise<void> {
  await audit(deps, coupon, usage, delivery, {
    type: "coupon.used",
    outcome: "succeeded",
    detail: `redeemed by order ${usage.orderName ?? usage.orderId}`,
    // Deterministic, so the other topic or a retried delivery finds the event already there.
    eventId: `coupon-used-${usage.orderId}`,
    at: coupon.usedAt ?? usage.usedAt,
  });
  try {
    await deps.records.markUsed(coupon);
  } catch (error) {
    await audit(deps, coupon, usage, delivery, {
      type: "coupon_record.updated",
      outcome: "failed",
      detail: `the customer's coupon record still shows the code as unused: ${error instanceof Error ? error.message : "unknown error"}`,
    });
    // DynamoDB already says used; failing the delivery makes Shopify retry, and the retry only redoes this.
    if (error instanceof LoyaltyError) throw error;
    throw new ShopifyUnavailable("The customer's coupon record could not be updated", { cause: error });
  }
}

async function audit(
  deps: UsageDependencies,
  coupon: CouponRecord,
  usage: OrderUsage,
  delivery: Delivery,
  event: { type: string; outcome: AuditOutcome; detail: string; eventId?: string; at?: string },
): Promise<void> {
  try {
    await deps.audit.appendAuditEvent({
      subject: { type: "coupon", id: coupon.code },
      relatedSubjects: [{ type: "conversion", id: coupon.conversionId }],
      type: event.type,
      actor,
      outcome: event.outcome,
      detail: event.detail,
      data: {
        orderId: usage.orderId,
        ...(usage.orderName ? { orderName: usage.orderName } : {}),
        topic: delivery.topic,
        webhookId: delivery.webhookId,
      },
      externalIds: { shopifyDiscountId: coupon.discountId },
      ...(event.eventId ? { eventId: event.eventId } : {}),
      ...(event.at ? { at: event.at } : {}),
    });
  } catch (error) {
    if (!(error instanceof DuplicateAuditEvent)) throw error;
  }
}
