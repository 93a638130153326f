import { createHash } from "node:crypto";
import * as z from "zod/mini";
import { type AdminPrincipal, adminLabel } from "../auth/admin";
import { Conflict, Unprocessable } from "../errors";
import { logger } from "../observability";
import type { PosEvidence } from "../pos/evidence";
import { isoDateTime } from "../schema-formats";
import { type AuditTrail, DuplicateAuditEvent, type NewAuditEvent } from "../store";

/**
 * What every staff resolution of a parked record shares (a conversion, a cancellation): one item
 * per parked record that is the claim letting only one resolution act at a time, the idempotency
 * record of its `Idempotency-Key`, and, once resolved, the answer and audit event a replay gives.
 * Each kind of resolution adds its record's id, its outcomes and its answer to these fields.
 */

const instant = isoDateTime();

/** What the resolution's audit event says; kept so that a replay can write a lost event again. */
export const resolutionTrailSchema = z.object({
  detail: z.string(),
  data: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  externalIds: z.optional(
    z.object({
      shopifyDiscountId: z.optional(z.string()),
      smaregiTransactionHeadIds: z.optional(z.array(z.string())),
    }),
  ),
});
export type ResolutionTrail = z.infer<typeof resolutionTrailSchema>;

/** The claim's own fields, for `z.object({ <id>, outcome, answer, ...resolutionClaimShape })`. */
export const resolutionClaimShape = {
  idempotencyKey: z.string().check(z.minLength(1)),
  requestHash: z.string().check(z.minLength(1)),
  note: z.string(),
  /** The admin's token subject and how people know them. */
  requestedBy: z.string().check(z.minLength(1)),
  requestedByLabel: z.string().check(z.minLength(1)),
  /** `pending` while a request holds the claim and acts; `resolved` once committed. */
  status: z.enum(["pending", "resolved"]),
  /** Identifies the request holding the claim; every later write is conditional on it. */
  claimId: z.string().check(z.minLength(1)),
  claimedAt: instant,
  /** When this key first claimed the record; fixed across its continuations. */
  startedAt: instant,
  trail: z.optional(resolutionTrailSchema),
  createdAt: instant,
  updatedAt: instant,
};
export type ResolutionClaim = z.infer<z.ZodMiniObject<typeof resolutionClaimShape>>;

/** What a request supplies to claim; the store sets the status and the times. */
export type ClaimRequest<R extends ResolutionClaim> = Omit<
  R,
  "status" | "claimedAt" | "createdAt" | "updatedAt" | "answer" | "trail"
>;

// ---- problems ----

/** What a resolution is about, in problems: the parked record's kind; its id member is `<kind>Id`. */
/** Which condition of a resolution's commit failed; nothing was written. */
export class ResolutionCommitRefused<Part extends string = string> extends Error {
  constructor(readonly part: Part) {
    super(`The resolution could not be recorded: the ${part} changed meanwhile`);
    this.name = "ResolutionCommitRefused";
  }
}

export type ParkedKind = "conversion" | "cancellation" | "adjustment";

const titled = { conversion: "Conversion", cancellation: "Cancellation", adjustment: "Adjustment" } as const;

/** Only a record parked as `needs_review` can be resolved; `currentStatus` says where it is. */
export class NotInReview extends Conflict {
  override readonly name: string = "NotInReview";
  override readonly extensions: Readonly<Record<string, string>>;
  constructor(kind: ParkedKind, id: string, status: string) {
    super(
      `${kind}_not_in_review`,
      `${titled[kind]} ${id} is ${status}, not needs_review; only a parked ${kind} can be resolved`,
    );
    this.extensions = { [`${kind}Id`]: id, currentStatus: status };
  }
}

/** The POS clearly says otherwise than the admin; nothing was changed. */
export class ContradictedByPos extends Conflict {
  override readonly name: string = "ContradictedByPos";
  override readonly extensions: Readonly<Record<string, string>>;
  constructor(kind: ParkedKind, id: string, outcome: string, evidence: PosEvidence) {
    super(
      "resolution_contradicts_pos",
      `The POS contradicts ${outcome} for ${kind} ${id} (${evidence.outcome}: ${evidence.reason}); nothing was changed`,
    );
    this.extensions = { [`${kind}Id`]: id, posEvidence: evidence.outcome };
  }
}

// ---- the request's side ----

/** What a request asked, for its Idempotency-Key: the outcome, the note and who asked. */
export const resolutionRequestHash = (request: { outcome: string; note: string; admin: { id: string } }) =>
  createHash("sha256")
    .update(JSON.stringify([request.outcome, request.note, request.admin.id]))
    .digest("hex");

/** The claim this request's key made before, if any; the same key for another request is refused. */
export function ownClaimOf<R extends ResolutionClaim>(
  existing: R | undefined,
  idempotencyKey: string,
  requestHash: string,
): R | undefined {
  const own = existing?.idempotencyKey === idempotencyKey ? existing : undefined;
  if (own && own.requestHash !== requestHash) {
    throw new Unprocessable(
      "idempotency_key_reused",
      "This Idempotency-Key was used for a different resolution; use a new key for a new request",
    );
  }
  return own;
}

/** `subject`: what is being resolved, e.g. `conversion <id>`. */
export const resolutionInProgress = (subject: string, retryAfterSeconds: number) =>
  new Conflict(
    "resolution_in_progress",
    `Another resolution of ${subject} is under way; repeat the request to see where it stands`,
    retryAfterSeconds,
  );

/** Another request's pending claim holds the record until it is old enough to have died. */
export function refuseLiveClaim(
  existing: ResolutionClaim | undefined,
  own: ResolutionClaim | undefined,
  options: { now: Date; abandonedClaimMs: number; subject: string },
): void {
  if (!existing || own || existing.status !== "pending") return;
  const age = options.now.getTime() - Date.parse(existing.claimedAt);
  if (age < options.abandonedClaimMs) {
    throw resolutionInProgress(options.subject, Math.ceil((options.abandonedClaimMs - age) / 1000));
  }
}

/**
 * The resolution's one event, as its trail says: a fixed id and time, so a replay that writes it
 * again (a lost event) adds nothing.
 */
export async function appendResolved(
  audit: Pick<AuditTrail, "appendAuditEvent">,
  event: Pick<NewAuditEvent, "subject" | "relatedSubjects" | "type" | "eventId">,
  answer: { resolvedBy: string; resolvedAt: string },
  trail: ResolutionTrail,
): Promise<void> {
  try {
    await audit.appendAuditEvent({
      ...event,
      actor: { kind: "admin", id: answer.resolvedBy },
      outcome: "succeeded",
      detail: trail.detail,
      data: trail.data,
      ...(trail.externalIds ? { externalIds: trail.externalIds } : {}),
      at: answer.resolvedAt,
    });
  } catch (error) {
    if (!(error instanceof DuplicateAuditEvent)) throw error;
  }
}

/**
 * A refused resolution is recorded too: who asked for what, and what the POS said. The refusal
 * stands without its record.
 */
export async function recordRefusal(
  audit: Pick<AuditTrail, "appendAuditEvent">,
  event: Pick<NewAuditEvent, "subject" | "relatedSubjects" | "type"> & { data?: Record<string, string> },
  request: { admin: AdminPrincipal; outcome: string; note: string; idempotencyKey: string },
  evidence: PosEvidence,
  context: Record<string, string>,
): Promise<void> {
  const { data, ...subjects } = event;
  const label = adminLabel(request.admin);
  try {
    await audit.appendAuditEvent({
      ...subjects,
      actor: { kind: "admin", id: label },
      outcome: "failed",
      detail: `${label} asked for ${request.outcome}; the POS says ${evidence.outcome}: ${evidence.reason}; nothing was changed`,
      data: {
        ...data,
        outcome: request.outcome,
        note: request.note,
        posEvidence: evidence.outcome,
        posEvidenceDetail: evidence.reason,
        idempotencyKey: request.idempotencyKey,
        adminSubject: request.admin.id,
      },
      ...(evidence.transactionHeadIds?.length
        ? { externalIds: { smaregiTransactionHeadIds: evidence.transactionHeadIds } }
        : {}),
    });
  } catch (error) {
    // The admin still learns why.
    logger.warn("resolution refusal not recorded", {
      ...context,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
