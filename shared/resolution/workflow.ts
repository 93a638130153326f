import { randomUUID } from "node:crypto";
import { type AdminPrincipal, adminLabel } from "../auth/admin";
import { Conflict, NotFound } from "../errors";
import { contradictsPos, type PosEvidence } from "../pos/evidence";
import type { AuditTrail, NewAuditEvent } from "../store";
import {
  appendResolved,
  type ClaimRequest,
  ContradictedByPos,
  NotInReview,
  ownClaimOf,
  type ParkedKind,
  type ResolutionClaim,
  ResolutionCommitRefused,
  type ResolutionTrail,
  recordRefusal,
  refuseLiveClaim,
  resolutionInProgress,
  resolutionRequestHash,
} from "./claims";

/**
 * The one workflow by which staff resolve work the service parked as `needs_review` because the
 * POS could not say whether a point change landed: claim → evidence → refuse what the POS
 * contradicts → act and commit → idempotent replay, each step audited. The service never moves
 * points here. A kind of parked work (a conversion, a cancellation, a point adjustment) is a
 * {@link ParkedWork} strategy: how to load it, read its evidence, act on an outcome and commit.
 */

export interface ParkedResolutionRequest<Outcome extends string> {
  admin: AdminPrincipal;
  idempotencyKey: string;
  outcome: Outcome;
  note: string;
}

/** What every answer carries. */
export interface ResolvedAnswer {
  resolvedBy: string;
  resolvedAt: string;
}

/** The kind's claim item: one per parked record, the idempotency record of its key. */
export interface ClaimStore<Claim extends ResolutionClaim> {
  get(id: string): Promise<Claim | undefined>;
  /** A new claim, or one replacing `previous` while it is exactly as read; undefined when another won. */
  claim(claim: ClaimRequest<Claim>, previous?: Claim): Promise<Claim | undefined>;
}

/**
 * A kind's resolution store: its claims, and the commit that settles the parked record, its
 * coupon where it has one, and the claim, in one conditional transaction. `ResolutionCommitRefused`
 * names the part whose condition failed; nothing is written then.
 */
export interface ResolutionStore<Claim extends ResolutionClaim, Commit> extends ClaimStore<Claim> {
  commit(commit: Commit): Promise<void>;
}

/** What acting on an outcome produced, to be committed in one transaction. */
export interface Settled<Answer extends ResolvedAnswer> {
  answer: Answer;
  trail: ResolutionTrail;
  /** The conditional transaction; `ResolutionCommitRefused` names the part that changed. */
  commit(): Promise<void>;
  /** What the customer-facing records need once the outcome stands; never undoes it. */
  afterCommit?(): Promise<void>;
}

export interface ParkedWork<
  Subject,
  Outcome extends string,
  Claim extends ResolutionClaim & { answer?: Answer; outcome: Outcome },
  Answer extends ResolvedAnswer,
  Context,
> {
  kind: ParkedKind;
  claims: ClaimStore<Claim>;
  audit: Pick<AuditTrail, "appendAuditEvent">;
  now: () => Date;
  /** A `pending` claim older than this died with its request; another request may take over. */
  abandonedClaimMs: number;
  load(id: string): Promise<Subject | undefined>;
  statusOf(subject: Subject): string;
  /** The kind's own refusals before the POS is read, and what acting needs. */
  prepare(request: ParkedResolutionRequest<Outcome>, subject: Subject): Promise<Context>;
  evidence(subject: Subject): Promise<PosEvidence>;
  /** Whether this outcome says that the point change landed. */
  saysApplied(outcome: Outcome): boolean;
  /** The claim's fields naming the record (its id, related ids). */
  claimFields(subject: Subject): Omit<ClaimRequest<Claim>, keyof ClaimRequest<ResolutionClaim> | "outcome">;
  /** Acts on the outcome (idempotently: a continuation repeats it whole) and prepares the commit. */
  settle(
    request: ParkedResolutionRequest<Outcome>,
    subject: Subject,
    context: Context,
    evidence: PosEvidence,
    claim: Claim,
  ): Promise<Settled<Answer>>;
  /** Where the resolution's one event goes: a fixed id, so a replay adds nothing. */
  resolvedEvent(
    claim: Claim,
    answer: Answer,
  ): Pick<NewAuditEvent, "subject" | "relatedSubjects" | "type" | "eventId">;
  /** Where a refusal is recorded. */
  refusedEvent(
    subject: Subject,
  ): Pick<NewAuditEvent, "subject" | "relatedSubjects" | "type"> & { data?: Record<string, string> };
}

export async function resolveParked<
  Subject,
  Outcome extends string,
  Claim extends ResolutionClaim & { answer?: Answer; outcome: Outcome },
  Answer extends ResolvedAnswer,
  Context,
>(
  work: ParkedWork<Subject, Outcome, Claim, Answer, Context>,
  id: string,
  request: ParkedResolutionRequest<Outcome>,
): Promise<Answer> {
  const subjectName = `${work.kind} ${id}`;
  const requestHash = resolutionRequestHash(request);
  const existing = await work.claims.get(id);
  const own = ownClaimOf(existing, request.idempotencyKey, requestHash);
  if (own?.status === "resolved") return replay(work, own);

  const subject = await work.load(id);
  if (subject === undefined) throw new NotFound(`${work.kind}_not_found`, `No ${work.kind} has the id ${id}`);
  const status = work.statusOf(subject);
  if (status !== "needs_review") throw new NotInReview(work.kind, id, status);
  refuseLiveClaim(existing, own, {
    now: work.now(),
    abandonedClaimMs: work.abandonedClaimMs,
    subject: subjectName,
  });
  const context = await work.prepare(request, subject);

  const evidence = await work.evidence(subject);
  if (contradictsPos(work.saysApplied(request.outcome), evidence)) {
    const ids = { [`${work.kind}Id`]: id };
    await recordRefusal(work.audit, work.refusedEvent(subject), request, evidence, ids);
    throw new ContradictedByPos(work.kind, id, request.outcome, evidence);
  }

  const claim = await work.claims.claim(
    {
      ...work.claimFields(subject),
      idempotencyKey: request.idempotencyKey,
      requestHash,
      outcome: request.outcome,
      note: request.note,
      requestedBy: request.admin.id,
      requestedByLabel: adminLabel(request.admin),
      claimId: randomUUID(),
      startedAt: own?.startedAt ?? work.now().toISOString(),
    } as ClaimRequest<Claim>,
    own ?? existing,
  );
  if (claim === undefined) throw resolutionInProgress(subjectName, 2);

  const settled = await work.settle(request, subject, context, evidence, claim);
  try {
    await settled.commit();
  } catch (error) {
    if (!(error instanceof ResolutionCommitRefused)) throw error;
    return commitRefused(work, id, request, error);
  }
  await appendResolved(work.audit, work.resolvedEvent(claim, settled.answer), settled.answer, settled.trail);
  await settled.afterCommit?.();
  return settled.answer;
}

/** The answer of a resolution already recorded; its audit event is written again if it was lost. */
async function replay<Claim extends ResolutionClaim & { answer?: Answer }, Answer extends ResolvedAnswer>(
  work: Pick<
    ParkedWork<unknown, string, Claim & { outcome: string }, Answer, unknown>,
    "audit" | "resolvedEvent"
  >,
  claim: Claim,
): Promise<Answer> {
  if (!claim.answer || !claim.trail) throw new Error("A resolved claim has no answer");
  await appendResolved(
    work.audit,
    work.resolvedEvent(claim as Claim & { outcome: string }, claim.answer),
    claim.answer,
    claim.trail,
  );
  return claim.answer;
}

async function commitRefused<
  Subject,
  Outcome extends string,
  Claim extends ResolutionClaim & { answer?: Answer; outcome: Outcome },
  Answer extends ResolvedAnswer,
  Context,
>(
  work: ParkedWork<Subject, Outcome, Claim, Answer, Context>,
  id: string,
  request: ParkedResolutionRequest<Outcome>,
  error: ResolutionCommitRefused,
): Promise<Answer> {
  const now = await work.claims.get(id);
  // A concurrent continuation of this very request got there first.
  if (now?.status === "resolved" && now.idempotencyKey === request.idempotencyKey) return replay(work, now);
  if (error.part === work.kind) {
    const subject = await work.load(id);
    throw new NotInReview(work.kind, id, subject === undefined ? "unknown" : work.statusOf(subject));
  }
  if (error.part === "claim") throw resolutionInProgress(`${work.kind} ${id}`, 2);
  throw new Conflict(
    "coupon_status_conflict",
    `The coupon of ${work.kind} ${id} changed while it was being resolved; repeat the same request`,
  );
}
