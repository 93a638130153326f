/**
 * Repository outcomes that callers branch on. They extend the domain errors, so the edge maps them
 * like any other, and their class names are what a state machine's `ErrorEquals` catches.
 */
import { Conflict, Unprocessable } from "../errors";
import type { ConversionStatus } from "./conversion-records";
import type { CouponStatus } from "./records";

/** A conditional status change found another status: a late step must not overwrite it. */
export class ConversionStatusConflict extends Conflict {
  override readonly name: string = "ConversionStatusConflict";
  readonly conversionId: string;
  readonly currentStatus: ConversionStatus | undefined;
  constructor(
    conversionId: string,
    currentStatus: ConversionStatus | undefined,
    expected: readonly string[],
  ) {
    super(
      "conversion_status_conflict",
      `Conversion ${conversionId} is ${currentStatus ?? "in an unknown state"}, expected ${expected.join(" or ")}`,
    );
    this.conversionId = conversionId;
    this.currentStatus = currentStatus;
  }
}

export class CouponStatusConflict extends Conflict {
  override readonly name: string = "CouponStatusConflict";
  readonly couponCode: string;
  readonly currentStatus: CouponStatus | undefined;
  constructor(couponCode: string, currentStatus: CouponStatus | undefined, expected: readonly string[]) {
    super(
      "coupon_status_conflict",
      `Coupon ${couponCode} is ${currentStatus ?? "in an unknown state"}, expected ${expected.join(" or ")}`,
    );
    this.couponCode = couponCode;
    this.currentStatus = currentStatus;
  }
}

/** The conversion would take the customer over the shop's daily conversion limit. */
export class DailyLimitExceeded extends Unprocessable {
  override readonly name: string = "DailyLimitExceeded";
  readonly dailyLimitPoints: number;
  readonly remainingPoints: number;
  /** A front end can offer what is still possible today without parsing the sentence. */
  override readonly extensions: Readonly<Record<string, number>>;
  constructor(requestedPoints: number, dailyLimitPoints: number, remainingPoints: number) {
    const fmt = (points: number) => points.toLocaleString("en-US");
    super(
      "daily_limit_exceeded",
      `Converting ${fmt(requestedPoints)} points would exceed the daily limit of ${fmt(dailyLimitPoints)} points; ` +
        `${fmt(remainingPoints)} points can still be converted today.`,
    );
    this.dailyLimitPoints = dailyLimitPoints;
    this.remainingPoints = remainingPoints;
    this.extensions = { dailyLimitPoints, remainingPoints };
  }
}

/** An audit event with this subject, time and id exists already; history is never overwritten. */
export class DuplicateAuditEvent extends Conflict {
  override readonly name: string = "DuplicateAuditEvent";
  constructor(eventId: string) {
    super("audit_event_exists", `Audit event ${eventId} has already been recorded`);
  }
}
