import { adminLabel } from "../auth/admin";
import type { PosEvidence } from "../pos/evidence";
import type { ResolutionTrail } from "../resolution/claims";
import {
  type ParkedResolutionRequest,
  type ParkedWork,
  resolveParked,
  type Settled,
} from "../resolution/workflow";
import type { AuditTrail } from "../store";
import type {
  AdjustmentPatch,
  AdjustmentRecord,
  AdjustmentResolutionAnswer,
  AdjustmentResolutionOutcome,
  AdjustmentResolutionRecord,
  AdjustmentResolutionStore,
  AdjustmentStore,
} from "./adjustment-records";
import { type AdjustmentEvidenceDependencies, readAdjustmentEvidence } from "./point-adjustments";

/**
 * Staff resolve a point adjustment parked as `needs_review` (its answer was lost and the POS could
 * not tell whether the change landed). Nothing is sent to the POS here: the POS is read, an outcome
 * it clearly contradicts is refused, and the adjustment becomes `applied` (`points_changed`, with
 * the transaction the POS shows) or `not_applied` (`points_not_changed`: the same adjustment request,
 * same Idempotency-Key, may then be sent again, and reconciles before it sends).
 */

export interface AdjustmentResolutionRequest extends ParkedResolutionRequest<AdjustmentResolutionOutcome> {
  customerId: string;
  adjustmentId: string;
}

export interface AdjustmentResolutionDependencies {
  resolutions: AdjustmentResolutionStore;
  adjustments: Pick<AdjustmentStore, "findById">;
  evidence: AdjustmentEvidenceDependencies;
  audit: Pick<AuditTrail, "appendAuditEvent">;
  now: () => Date;
  /** A `pending` claim older than this died with its request; another request may take over. */
  abandonedClaimMs: number;
}

export function resolveAdjustmentReview(
  deps: AdjustmentResolutionDependencies,
  request: AdjustmentResolutionRequest,
): Promise<AdjustmentResolutionAnswer> {
  return resolveParked(parkedAdjustments(deps, request.customerId), request.adjustmentId, request);
}

/** The customer's parked adjustments as the resolution workflow sees them. */
export function parkedAdjustments(
  deps: AdjustmentResolutionDependencies,
  customerId: string,
): ParkedWork<
  AdjustmentRecord,
  AdjustmentResolutionOutcome,
  AdjustmentResolutionRecord,
  AdjustmentResolutionAnswer,
  undefined
> {
  return {
    kind: "adjustment",
    claims: deps.resolutions,
    audit: deps.audit,
    now: deps.now,
    abandonedClaimMs: deps.abandonedClaimMs,
    load: (adjustmentId) => deps.adjustments.findById(customerId, adjustmentId),
    statusOf: (adjustment) => adjustment.status,
    prepare: async () => undefined,
    evidence: (adjustment) => readAdjustmentEvidence(deps.evidence, adjustment),
    saysApplied: (outcome) => outcome === "points_changed",
    claimFields: (adjustment) => ({
      adjustmentId: adjustment.adjustmentId,
      customerId: adjustment.customerId,
    }),
    settle: async (request, adjustment, _context, evidence, claim) =>
      settle(deps, request, adjustment, evidence, claim),
    resolvedEvent: (claim) => ({
      subject: { type: "customer", id: claim.customerId },
      type: "points.adjustment_resolved",
      eventId: `adjustment-resolved-${claim.adjustmentId}`,
    }),
    refusedEvent: (adjustment) => ({
      subject: { type: "customer", id: adjustment.customerId },
      type: "points.adjustment_resolution_refused",
      data: { adjustmentId: adjustment.adjustmentId },
    }),
  };
}

function settle(
  deps: AdjustmentResolutionDependencies,
  request: ParkedResolutionRequest<AdjustmentResolutionOutcome>,
  adjustment: AdjustmentRecord,
  evidence: PosEvidence,
  claim: AdjustmentResolutionRecord,
): Settled<AdjustmentResolutionAnswer> {
  const resolvedAt = deps.now().toISOString();
  const label = adminLabel(request.admin);
  const changed = request.outcome === "points_changed";
  const patch: AdjustmentPatch & { status: "applied" | "not_applied" } = changed
    ? {
        status: "applied",
        // Known from the POS: later reconciliations must see this transaction as this adjustment's.
        transactionHeadIds: evidence.outcome === "applied" ? (evidence.transactionHeadIds ?? []) : [],
        ...(evidence.balance !== undefined ? { balanceAfter: evidence.balance } : {}),
      }
    : {
        status: "not_applied",
        failure: `${label} found that the change did not land: ${request.note}`,
        // The balance now: a replay compares what it sees with this.
        ...(evidence.balance !== undefined ? { balanceBefore: evidence.balance } : {}),
      };
  const answer: AdjustmentResolutionAnswer = {
    adjustmentId: adjustment.adjustmentId,
    customerId: adjustment.customerId,
    status: patch.status,
    points: adjustment.points,
    resolvedBy: label,
    resolvedAt,
    note: request.note,
  };
  const trail: ResolutionTrail = {
    detail: `${label} resolved ${request.outcome}: adjustment ${patch.status} (${adjustment.points} points); POS ${evidence.outcome}: ${evidence.reason}`,
    data: {
      adjustmentId: adjustment.adjustmentId,
      outcome: request.outcome,
      note: request.note,
      status: patch.status,
      points: adjustment.points,
      posEvidence: evidence.outcome,
      posEvidenceDetail: evidence.reason,
      posReadable: evidence.outcome !== "unreadable",
      posBalance: evidence.balance ?? null,
      idempotencyKey: request.idempotencyKey,
      adminSubject: request.admin.id,
    },
    ...(evidence.transactionHeadIds?.length
      ? { externalIds: { smaregiTransactionHeadIds: evidence.transactionHeadIds } }
      : {}),
  };
  return {
    answer,
    trail,
    commit: () => deps.resolutions.commit({ claim, adjustment, patch, answer, trail }),
  };
}
