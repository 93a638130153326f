import { NotFound } from "../errors";
import { executionArn } from "../step-functions";
import type {
  AuditEvent,
  AuditSubject,
  AuditTrail,
  ConversionRecord,
  ConversionStore,
  CouponRecord,
  CouponStore,
} from "../store";
import type { AdjustmentRecord } from "./adjustment-records";
import { effectiveStatus } from "./coupon-search";

/** What shop staff see of one coupon or conversion: the records, the merged trail, the execution. */

export interface InspectionDependencies {
  coupons: Pick<CouponStore, "getCoupon">;
  conversions: Pick<ConversionStore, "getConversion">;
  audit: Pick<AuditTrail, "listAuditEvents">;
  /** The conversion saga; executions are named after the conversion id. Absent: the ARN is not shown. */
  conversionStateMachineArn?: string;
  now: () => Date;
}

export interface ExecutionRef {
  name: string;
  arn: string | null;
}

export type AdminCouponView = CouponRecord & { storedStatus: CouponRecord["status"] };
export type AdminConversionView = Omit<ConversionRecord, "requestHash">;

export function couponView(coupon: CouponRecord, now: Date): AdminCouponView {
  return { ...coupon, status: effectiveStatus(coupon, now), storedStatus: coupon.status };
}

/** The request hash only serves idempotency checks; it means nothing to a person. */
export function conversionView({ requestHash: _hash, ...conversion }: ConversionRecord): AdminConversionView {
  return conversion;
}

export function executionOf(conversionId: string, stateMachineArn: string | undefined): ExecutionRef {
  return {
    name: conversionId,
    arn: stateMachineArn ? executionArn(stateMachineArn, conversionId) : null,
  };
}

/**
 * The events of several subjects as one history, oldest first. The saga records most events under
 * both the conversion and its coupon, so the copies are merged by event id.
 */
export async function mergedTrail(
  audit: Pick<AuditTrail, "listAuditEvents">,
  subjects: readonly AuditSubject[],
): Promise<AuditEvent[]> {
  const lists = await Promise.all(subjects.map((subject) => audit.listAuditEvents(subject)));
  const byId = new Map(lists.flat().map((event) => [event.eventId, event]));
  return [...byId.values()].sort((a, b) => a.at.localeCompare(b.at) || a.eventId.localeCompare(b.eventId));
}

export async function inspectCoupon(deps: InspectionDependencies, code: string) {
  const coupon = await deps.coupons.getCoupon(code.trim());
  if (coupon === undefined) throw new NotFound("coupon_not_found", `No coupon has the code ${code}`);
  const [conversion, trail] = await Promise.all([
    deps.conversions.getConversion(coupon.conversionId),
    mergedTrail(deps.audit, [
      { type: "coupon", id: coupon.code },
      { type: "conversion", id: coupon.conversionId },
    ]),
  ]);
  return {
    coupon: couponView(coupon, deps.now()),
    conversion: conversion ? conversionView(conversion) : null,
    execution: executionOf(coupon.conversionId, deps.conversionStateMachineArn),
    trail,
  };
}

export async function inspectConversion(deps: InspectionDependencies, conversionId: string) {
  const conversion = await deps.conversions.getConversion(conversionId);
  if (conversion === undefined) {
    throw new NotFound("conversion_not_found", `No conversion has the id ${conversionId}`);
  }
  const [coupon, trail] = await Promise.all([
    deps.coupons.getCoupon(conversion.code),
    mergedTrail(deps.audit, [
      { type: "conversion", id: conversion.conversionId },
      { type: "coupon", id: conversion.code },
    ]),
  ]);
  return {
    conversion: conversionView(conversion),
    // A conversion that failed before its coupon was stored has none.
    coupon: coupon && coupon.conversionId === conversion.conversionId ? couponView(coupon, deps.now()) : null,
    execution: executionOf(conversion.conversionId, deps.conversionStateMachineArn),
    trail,
  };
}

/** A point adjustment as staff see it. */
export const adjustmentView = (adjustment: AdjustmentRecord) => ({
  adjustmentId: adjustment.adjustmentId,
  status: adjustment.status,
  customerId: adjustment.customerId,
  points: adjustment.points,
  reason: adjustment.reason,
  ...(adjustment.note ? { note: adjustment.note } : {}),
  ...(adjustment.balanceAfter !== undefined ? { balanceAfter: adjustment.balanceAfter } : {}),
  ...(adjustment.transactionHeadIds ? { transactionHeadIds: adjustment.transactionHeadIds } : {}),
  ...(adjustment.reviewReason ? { reviewReason: adjustment.reviewReason } : {}),
  requestedBy: adjustment.requestedByLabel,
  createdAt: adjustment.createdAt,
});
