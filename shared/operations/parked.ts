import type { AdminPrincipal } from "../auth/admin";
import type { CancellationRecord } from "../cancellation/records";
import {
  type CancellationResolutionDependencies,
  refundEvidenceOf,
  resolveCancellationReview,
} from "../cancellation/resolution";
import { type ResolutionDependencies, readPosEvidence, resolveReview } from "../conversion/resolution";
import { LoyaltyError } from "../errors";
import type { AuditTrail, ConversionRecord, ConversionStore } from "../store";

/**
 * Parked work heals itself. A conversion or cancellation parks `needs_review` when the POS could
 * not say whether its points moved; minutes later it usually can. The reconciler re-reads the POS
 * on a backoff schedule and, when the evidence is clear, settles the record through the very
 * resolution staff use (same claim, same refusal rules, same trail), as the reconciler. What
 * stays ambiguous is left to staff.
 *
 * A parked conversion whose code parking could not deactivate (`couponLive`) is a discount no
 * points may have paid for: until the evidence settles it, the reconciler keeps deactivating it.
 */

/** Who settles parked work by itself, in resolutions and trails (as `RECONCILER_ACTOR`, a name kept). */
export const reconcilerPrincipal: AdminPrincipal = { id: "operations/reconcile-stuck", roles: ["admin"] };

const HOUR = 3_600_000;
/** The backoff stops doubling here: a parked record is looked at every 6 hours after that. */
const maxBackoffMs = 6 * HOUR;

/**
 * Whether a record parked `ageMs` ago is due on this run of a schedule every `rateMs`: at 1, 2, 4,
 * 8, … schedule periods after parking, then every 6 hours. Stateless, so checking writes nothing.
 */
export function isDue(ageMs: number, rateMs: number): boolean {
  if (ageMs < 0) return false;
  for (let at = rateMs; at < maxBackoffMs; at *= 2) {
    if (ageMs >= at && ageMs < at + rateMs) return true;
  }
  return ageMs >= maxBackoffMs && ageMs % maxBackoffMs < rateMs;
}

export type Healing =
  /** The evidence was clear: the record is resolved with this status. */
  | { kind: "settled"; status: string; reason: string }
  /** The parked code could not be used anymore: deactivated (or Shopify has none). */
  | { kind: "code_deactivated"; reason: string }
  /** Still for staff: the evidence is ambiguous or unreadable, or the resolution refused. */
  | { kind: "left"; reason: string }
  /** The parked code is still usable: deactivating it failed again. */
  | { kind: "code_still_live"; reason: string };

export interface ParkedConversionDependencies {
  resolution: ResolutionDependencies;
  conversions: Pick<ConversionStore, "updateConversion" | "getConversion">;
  audit: Pick<AuditTrail, "appendAuditEvent">;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** A resolution's refusal (a 4xx) or a dependency it could not reach (a 5xx of ours): not a crash. */
const expected = (error: unknown): error is LoyaltyError => error instanceof LoyaltyError;

export async function healParkedConversion(
  deps: ParkedConversionDependencies,
  conversion: ConversionRecord,
): Promise<Healing> {
  const evidence = await readPosEvidence(deps.resolution.evidence, conversion);
  let left = `the POS evidence is ${evidence.outcome}: ${evidence.reason}`;
  if (evidence.outcome === "applied" || evidence.outcome === "not_applied") {
    const outcome = evidence.outcome === "applied" ? "points_taken" : "points_not_taken";
    try {
      const answer = await resolveReview(deps.resolution, {
        admin: reconcilerPrincipal,
        conversionId: conversion.conversionId,
        // One settlement per conversion: a run that failed half way is finished by the next.
        idempotencyKey: `reconciler-${conversion.conversionId}`,
        outcome,
        note:
          outcome === "points_taken"
            ? "Settled automatically: the POS lists this conversion's deduction"
            : "Settled automatically: the POS shows this conversion's deduction did not happen",
      });
      return { kind: "settled", status: answer.status, reason: evidence.reason };
    } catch (error) {
      if (!expected(error)) throw error;
      left = `the resolution ${outcome} was refused: ${messageOf(error)}`;
    }
  }
  if (!conversion.couponLive) return { kind: "left", reason: left };
  return deactivateLiveCode(deps, conversion);
}

async function deactivateLiveCode(
  deps: ParkedConversionDependencies,
  conversion: ConversionRecord,
): Promise<Healing> {
  const { discounts, resolutions } = deps.resolution;
  let discountId: string | undefined;
  try {
    discountId = await discounts.deactivateDiscountByCode(conversion.code, conversion.conversionId);
  } catch (error) {
    if (!expected(error)) throw error;
    return { kind: "code_still_live", reason: messageOf(error) };
  }
  // A staff resolution honouring the coupon may have reactivated it just before: its claim is taken
  // before it touches Shopify, so a claim to honour seen now means the code must stay usable.
  const claim = await resolutions.get(conversion.conversionId);
  if (claim?.outcome === "points_taken") {
    const found = await discounts.findDiscountByCode(conversion.code);
    if (found) {
      await discounts.reinstateDiscount(found, {
        startsAt: conversion.startsAt,
        endsAt: conversion.expiresAt,
      });
    }
    return { kind: "left", reason: "staff are honouring the coupon; its code stays usable" };
  }
  const reason = discountId
    ? `the code parking could not deactivate was deactivated (${discountId})`
    : "Shopify has no code of this conversion anymore";
  await deps.conversions.updateConversion(conversion.conversionId, ["needs_review"], { couponLive: false });
  await deps.audit.appendAuditEvent({
    subject: { type: "conversion", id: conversion.conversionId },
    relatedSubjects: [{ type: "coupon", id: conversion.code }],
    type: "coupon.deactivated",
    actor: { kind: "system", id: reconcilerPrincipal.id },
    outcome: "succeeded",
    detail: reason,
    ...(discountId ? { externalIds: { shopifyDiscountId: discountId } } : {}),
  });
  return { kind: "code_deactivated", reason };
}

export async function healParkedCancellation(
  deps: CancellationResolutionDependencies,
  cancellation: CancellationRecord,
): Promise<Healing> {
  const evidence = await refundEvidenceOf(deps, cancellation);
  if (evidence.outcome !== "applied" && evidence.outcome !== "not_applied") {
    return { kind: "left", reason: `the POS evidence is ${evidence.outcome}: ${evidence.reason}` };
  }
  const outcome = evidence.outcome === "applied" ? "points_refunded" : "points_not_refunded";
  try {
    const answer = await resolveCancellationReview(deps, {
      admin: reconcilerPrincipal,
      cancellationId: cancellation.cancellationId,
      idempotencyKey: `reconciler-${cancellation.cancellationId}`,
      outcome,
      note:
        outcome === "points_refunded"
          ? "Settled automatically: the POS lists this cancellation's refund"
          : "Settled automatically: the POS shows this cancellation's refund did not happen",
    });
    return { kind: "settled", status: answer.status, reason: evidence.reason };
  } catch (error) {
    if (!expected(error)) throw error;
    return { kind: "left", reason: `the resolution ${outcome} was refused: ${messageOf(error)}` };
  }
}
