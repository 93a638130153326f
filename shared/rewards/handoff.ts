import { logger } from "../observability";
import { type AuditTrail, DuplicateAuditEvent } from "../store";
import type { CouponTemplate, LocalizedText } from "./coupon";

/**
 * How a `custom` reward's coupon reaches the merchant's integration: no Shopify discount is made;
 * the coupon is handed off as an event instead. The saga hands it off where it would create the
 * discount (before the points are taken) and revokes it where it would delete the discount, so a
 * custom coupon has the same guarantees as a Shopify one.
 *
 * Delivery is at least once: consumers de-duplicate by `conversionId` and `detail-type`. A
 * `revoked` event may come for a code whose `issued` event never did (a handoff whose outcome was
 * unknown is revoked anyway); treat it as nothing to do.
 */

/** Every handoff event's audit `type` starts with this; the coupon event pipe forwards those. */
export const couponEventTypePrefix = "loyalty.coupon.";
export const couponIssuedType = `${couponEventTypePrefix}issued`;
export const couponRevokedType = `${couponEventTypePrefix}revoked`;

export interface CouponIssued {
  schemaVersion: 1;
  code: string;
  conversionId: string;
  customerId: string;
  customerGid: string;
  rewardId: string;
  rewardVersion: number;
  rewardName: LocalizedText;
  points: number;
  /** The coupon's value when it has one (0 otherwise), in `currency`. */
  amount: number;
  currency: string;
  startsAt: string;
  expiresAt: string;
  usageLimit: number;
  /** The rule's coupon template as issued, `attributes` included. */
  coupon: CouponTemplate;
  issuedAt: string;
}

export interface CouponRevoked {
  schemaVersion: 1;
  code: string;
  conversionId: string;
  customerId: string;
  rewardId: string;
  /** `compensated`: no points were taken. `needs_review`: an operator decides; the code must not be honoured meanwhile. */
  reason: "compensated" | "needs_review";
  revokedAt: string;
}

export interface CouponHandoff {
  /** Idempotent per conversion. */
  issued(coupon: CouponIssued): Promise<void>;
  revoked(revocation: CouponRevoked): Promise<void>;
}

/**
 * The transactional outbox: the event is appended to the audit table (append-only, conditional
 * put) under the coupon, with its full payload. In AWS an EventBridge pipe reads the table's
 * stream and puts each new item whose `type` starts with `loyalty.coupon.` on the stack's coupon
 * event bus (infra/constructs/coupon-events.ts); locally the event stays in the table and the log. The first handoff of a conversion has a fixed id and
 * time, so a retried step finds it written instead of writing a second one.
 */
export class AuditOutboxCouponHandoff implements CouponHandoff {
  constructor(private readonly audit: Pick<AuditTrail, "appendAuditEvent">) {}

  async issued(coupon: CouponIssued): Promise<void> {
    await this.append(couponIssuedType, coupon.code, coupon.conversionId, coupon, {
      eventId: `coupon-issued-${coupon.conversionId}`,
      at: coupon.issuedAt,
      detail: `${coupon.rewardId}: ${coupon.points} points, handed to the merchant's integration`,
    });
  }

  async revoked(revocation: CouponRevoked): Promise<void> {
    await this.append(couponRevokedType, revocation.code, revocation.conversionId, revocation, {
      eventId: `coupon-revoked-${revocation.conversionId}-${revocation.reason}`,
      at: revocation.revokedAt,
      detail: `${revocation.rewardId}: revoked (${revocation.reason})`,
    });
  }

  private async append(
    detailType: string,
    code: string,
    conversionId: string,
    payload: CouponIssued | CouponRevoked,
    event: { eventId: string; at: string; detail: string },
  ): Promise<void> {
    logger.info("coupon handed off", { detailType, conversionId, payload });
    try {
      await this.audit.appendAuditEvent({
        subject: { type: "coupon", id: code },
        type: detailType,
        actor: { kind: "system", id: "convert-points" },
        outcome: "succeeded",
        detail: event.detail,
        data: { detailType, conversionId, payload: JSON.stringify(payload) },
        eventId: event.eventId,
        at: event.at,
      });
    } catch (error) {
      // Written by an earlier attempt of the same step: the handoff stands.
      if (error instanceof DuplicateAuditEvent) return;
      throw error;
    }
  }
}
