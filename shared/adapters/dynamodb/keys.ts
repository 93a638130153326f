import type { AuditSubject } from "../../store/records";

/**
 * Every key of the loyalty and audit tables, in one place: partition and sort keys, the index
 * partitions and the customer index's sort-key prefixes. Stores build keys only from here; the
 * stack's delete conditions (LeadingKeys) use the same prefixes. Each is an export of its own, read
 * as `import * as keys from "./keys"`, so a bundle carries only the keys its stores build.
 */
export const LEASE_KEY_PREFIX = "LEASE#";

/** Where a webhook delivery's claim lives; the webhook function may delete only these items. */
export const WEBHOOK_KEY_PREFIX = "WEBHOOK#";

export const conversion = (conversionId: string) => ({ pk: `CONV#${conversionId}`, sk: "CONV" });

export const idempotency = (customerId: string, idempotencyKey: string) => ({
  pk: `IDEM#${customerId}#${idempotencyKey}`,
  sk: "IDEM",
});

export const lease = (customerId: string) => ({ pk: `${LEASE_KEY_PREFIX}${customerId}`, sk: "LEASE" });

export const daily = (customerId: string, shopDate: string) => ({ pk: `DAILY#${customerId}`, sk: shopDate });

export const coupon = (code: string) => ({ pk: `COUPON#${code.toUpperCase()}`, sk: "COUPON" });

export const customer = (customerId: string) => `CUST#${customerId}`;

export const conversionStatus = (status: string) => `CONVSTATUS#${status}`;

export const cancellation = (cancellationId: string) => ({ pk: `CANCEL#${cancellationId}`, sk: "CANCEL" });

export const cancellationStatus = (status: string) => `CANCELSTATUS#${status}`;

/**
 * A coupon's partition of the status index: `COUPONS#<status>`, except that a stored `active`
 * coupon past its end is moved to `COUPONS#expired` by the expiry sweep (`DynamoCouponStore.
 * indexExpired`), so each partition holds what one status filter of the admin listing shows.
 */
export const couponStatus = (status: string) => `COUPONS#${status}`;

/** The byActivity partition of every coupon outside `COUPONS#active` (see `couponIndexKeys`). */
export const otherCoupons = "COUPONS#others";

/**
 * The one partition every coupon was listed under before the per-status partitions. Items still
 * there (written before them, never moved since) are read until the backfill
 * (`scripts/backfill-coupon-keys.ts`) has moved them all.
 */
export const legacyCoupons = "COUPONS";

export const reward = (rewardId: string) => ({ pk: `REWARD#${rewardId}`, sk: "REWARD" });

export const allRewards = "REWARDS";

export const webhook = (webhookId: string) => ({ pk: `${WEBHOOK_KEY_PREFIX}${webhookId}`, sk: "WEBHOOK" });

export const adjustment = (customerId: string, idempotencyKey: string) => ({
  pk: `ADJ#${customerId}#${idempotencyKey}`,
  sk: "ADJ",
});

export const adjustmentStatus = (status: string) => `ADJSTATUS#${status}`;

export const conversionResolution = (conversionId: string) => ({
  pk: `RESOLUTION#${conversionId}`,
  sk: "RESOLUTION",
});

export const cancellationResolution = (cancellationId: string) => ({
  pk: `CANCELRESOLUTION#${cancellationId}`,
  sk: "RESOLUTION",
});

export const adjustmentResolution = (adjustmentId: string) => ({
  pk: `ADJRESOLUTION#${adjustmentId}`,
  sk: "RESOLUTION",
});

export function auditSubject(subject: AuditSubject) {
  switch (subject.type) {
    case "conversion":
      return `CONV#${subject.id}`;
    case "coupon":
      return `COUPON#${subject.id.toUpperCase()}`;
    case "customer":
      return `CUST#${subject.id}`;
    case "reward":
      return `REWARD#${subject.id}`;
  }
}

/**
 * An audit event's sort key under each of its subjects: its id, whatever its instant, so that a
 * step writing its event again (same id) is refused even at another instant. Events written
 * before carry `<at>#<eventId>`; the trail is ordered by instant when read.
 */
export const auditEvent = (eventId: string) => `EVENT#${eventId}`;

/** Sort-key prefixes of the customer index (gsi1): one per kind of item listed by customer. */
export const customerIndexPrefixes = {
  conversion: "CONV#",
  coupon: "COUPON#",
  adjustment: "ADJ#",
} as const;
