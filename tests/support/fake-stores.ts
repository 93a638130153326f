import { randomUUID } from "node:crypto";
import {
  type AdjustmentPatch,
  type AdjustmentRecord,
  type AdjustmentStatus,
  AdjustmentStatusConflict,
  type AdjustmentStore,
  type NewAdjustment,
} from "../../shared/admin/adjustment-records";
import type {
  BeginResult,
  CancellationStore,
  CouponCancelledNotice,
  CustomerNotices,
} from "../../shared/cancellation/ports";
import type {
  CancellationPatch,
  CancellationRecord,
  CancellationStatus,
  NewCancellation,
  RefundGuard,
} from "../../shared/cancellation/records";
import type {
  CancellationResolutionCommit,
  CancellationResolutionRecord,
  CancellationResolutionStore,
  NewCancellationClaim,
} from "../../shared/cancellation/resolution-records";
import type {
  NewClaim,
  ResolutionCommit,
  ResolutionRecord,
  ResolutionStore,
} from "../../shared/conversion/resolution-records";
import { Conflict, NotFound } from "../../shared/errors";
import type { AdminAlerts, AlertKind } from "../../shared/ports";
import { ResolutionCommitRefused } from "../../shared/resolution/claims";
import {
  type AuditEvent,
  type AuditSubject,
  type AuditTrail,
  type ConversionCompletion,
  type ConversionPatch,
  type ConversionRecord,
  type ConversionStatus,
  ConversionStatusConflict,
  type ConversionStore,
  type CouponPatch,
  type CouponRecord,
  type CouponStatus,
  CouponStatusConflict,
  type CouponStore,
  DuplicateAuditEvent,
  type FirstCompletion,
  type NewAuditEvent,
  type NewConversion,
  type NewCoupon,
  type Page,
  type PageRequest,
  type ReleaseOptions,
  type ReleaseResult,
  type ReservationResult,
  terminalConversionStatuses,
} from "../../shared/store";

/**
 * In-memory stand-ins for the storage ports, with the conditions the DynamoDB adapters enforce
 * (conditional status changes, write-once records, the one-attempt guards, all-or-nothing
 * resolution commits), so domain tests run without DynamoDB Local. One `FakeTables` holds every
 * record, as the one loyalty table does: the cancellation's guard lives on the coupon, and a
 * resolution's commit changes a conversion (or cancellation), its coupon and its claim together.
 */

/** A clock the test moves; every fake and every domain `now` reads it. */
export class TestClock {
  #at: number;
  constructor(start: string | Date = "2026-11-02T01:00:00.000Z") {
    this.#at = new Date(start).getTime();
  }
  readonly now = (): Date => new Date(this.#at);
  advance(ms: number): void {
    this.#at += ms;
  }
}

const page = <T>(items: T[], request: PageRequest): Page<T> => ({ items: items.slice(0, request.limit) });
const copy = <T>(value: T): T => structuredClone(value);
const defined = <T extends object>(patch: T): Partial<T> =>
  Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)) as Partial<T>;

interface StoredCoupon {
  coupon: CouponRecord;
  /** The cancellation's attributes on the coupon item: who holds it, the refund attempts. */
  guard: RefundGuard;
}

export class FakeTables {
  readonly conversions = new Map<string, ConversionRecord>();
  readonly coupons = new Map<string, StoredCoupon>();
  readonly cancellations = new Map<string, CancellationRecord>();
  readonly resolutions = new Map<string, ResolutionRecord>();
  readonly cancellationResolutions = new Map<string, CancellationResolutionRecord>();
  readonly adjustments = new Map<string, AdjustmentRecord>();
  readonly leases = new Map<string, string>();
  /** Points converted per customer and shop day, as the daily-limit counter keeps them. */
  readonly dailyPoints = new Map<string, number>();
  readonly dailyRefunded = new Set<string>();
  readonly events: AuditEvent[] = [];

  constructor(readonly clock: TestClock = new TestClock()) {}

  stamp(): string {
    return this.clock.now().toISOString();
  }

  /** The audit event types recorded under a subject, oldest first. */
  eventTypes(subject: AuditSubject): string[] {
    return this.eventsOf(subject).map((event) => `${event.type}:${event.outcome}`);
  }

  /** As the table keys an entry by subject and event id: a repeat under any of its subjects. */
  repeatsAuditEvent(eventId: string, event: Pick<NewAuditEvent, "subject" | "relatedSubjects">): boolean {
    const subjectsOf = (entry: Pick<AuditEvent, "subject" | "relatedSubjects">) =>
      [entry.subject, ...(entry.relatedSubjects ?? [])].map(
        (subject) => `${subject.type}#${subject.type === "coupon" ? subject.id.toUpperCase() : subject.id}`,
      );
    const mine = subjectsOf(event);
    return this.events.some(
      (existing) => existing.eventId === eventId && subjectsOf(existing).some((key) => mine.includes(key)),
    );
  }

  /** Records an event, its id and instant filled in as the trail fills them. */
  recordAuditEvent(event: NewAuditEvent, eventId: string): AuditEvent {
    const { eventId: _id, at, ...rest } = event;
    const stored: AuditEvent = { ...rest, eventId, at: at ?? this.stamp() };
    this.events.push(copy(stored));
    return stored;
  }

  eventsOf(subject: AuditSubject): AuditEvent[] {
    const same = (other: AuditSubject) => other.type === subject.type && other.id === subject.id;
    return this.events.filter(
      (event) => same(event.subject) || (event.relatedSubjects ?? []).some((related) => same(related)),
    );
  }

  coupon(code: string): CouponRecord | undefined {
    const stored = this.coupons.get(code.toUpperCase());
    return stored ? copy(stored.coupon) : undefined;
  }

  guard(code: string): RefundGuard | undefined {
    const stored = this.coupons.get(code.toUpperCase());
    return stored ? copy(stored.guard) : undefined;
  }
}

// ---- conversions ----

/** Also the conversion's one-write completion (`ConversionCompletion`), as the saga's `completion`. */
export class InMemoryConversionStore implements ConversionStore, ConversionCompletion {
  constructor(private readonly tables: FakeTables) {}

  async reserveConversion(input: NewConversion): Promise<ReservationResult> {
    const { tables } = this;
    const existing = [...tables.conversions.values()].find(
      (conversion) =>
        conversion.customerId === input.customerId && conversion.idempotencyKey === input.idempotencyKey,
    );
    if (existing) return { outcome: "existing", conversion: copy(existing) };
    const holder = tables.leases.get(input.customerId);
    if (holder !== undefined)
      throw new Conflict("conversion_in_progress", `Conversion ${holder} holds the lease`);
    const now = tables.stamp();
    const conversion: ConversionRecord = { ...input, status: "reserved", createdAt: now, updatedAt: now };
    tables.conversions.set(conversion.conversionId, conversion);
    tables.leases.set(input.customerId, input.conversionId);
    const day = `${input.customerId}#${input.shopDate}`;
    tables.dailyPoints.set(day, (tables.dailyPoints.get(day) ?? 0) + input.points);
    return { outcome: "reserved", conversion: copy(conversion) };
  }

  async getConversion(conversionId: string) {
    const found = this.tables.conversions.get(conversionId);
    return found ? copy(found) : undefined;
  }

  async findByIdempotencyKey(customerId: string, idempotencyKey: string) {
    const found = [...this.tables.conversions.values()].find(
      (conversion) => conversion.customerId === customerId && conversion.idempotencyKey === idempotencyKey,
    );
    return found ? copy(found) : undefined;
  }

  async listConversionsByCustomer(customerId: string, request: PageRequest) {
    const mine = [...this.tables.conversions.values()].filter((c) => c.customerId === customerId);
    return page(mine.reverse().map(copy), request);
  }

  async listConversionsByStatus(status: ConversionStatus, request: PageRequest) {
    const found = [...this.tables.conversions.values()].filter((c) => c.status === status);
    return page(found.reverse().map(copy), request);
  }

  async updateConversion(
    conversionId: string,
    expectedStatuses: readonly ConversionStatus[],
    patch: ConversionPatch,
  ): Promise<ConversionRecord> {
    const leavesTerminal = expectedStatuses.some(
      (status) =>
        terminalConversionStatuses.includes(status) && patch.status !== undefined && patch.status !== status,
    );
    if (leavesTerminal) throw new Error(`A finished conversion cannot move to ${patch.status}`);
    const current = this.tables.conversions.get(conversionId);
    if (!current) throw new NotFound("conversion_not_found", `Conversion ${conversionId} does not exist`);
    if (!expectedStatuses.includes(current.status)) {
      throw new ConversionStatusConflict(conversionId, current.status, expectedStatuses);
    }
    const updated = { ...current, ...defined(patch), updatedAt: this.tables.stamp() };
    this.tables.conversions.set(conversionId, updated);
    return copy(updated);
  }

  async markDeductionStarted(conversionId: string, at: Date): Promise<boolean> {
    const current = this.tables.conversions.get(conversionId);
    if (current?.status !== "reserved" || current.deductionStartedAt !== undefined) return false;
    current.deductionStartedAt = at.toISOString();
    current.updatedAt = this.tables.stamp();
    return true;
  }

  async completeConversion({
    conversionId,
    customerId,
    coupon,
    patch,
    trail,
  }: FirstCompletion): Promise<boolean> {
    const { tables } = this;
    const current = tables.conversions.get(conversionId);
    const code = coupon.code.toUpperCase();
    const holder = tables.leases.get(customerId);
    const entries = trail.map((event) => ({ event, eventId: event.eventId ?? randomUUID() }));
    const first =
      current?.status === "reserved" &&
      !tables.coupons.has(code) &&
      (holder === undefined || holder === conversionId) &&
      !entries.some(({ event, eventId }) => tables.repeatsAuditEvent(eventId, event));
    if (!first) return false;
    const now = tables.stamp();
    tables.coupons.set(code, { coupon: { ...coupon, code, createdAt: now, updatedAt: now }, guard: {} });
    tables.conversions.set(conversionId, { ...current, ...defined(patch), updatedAt: now });
    tables.leases.delete(customerId);
    for (const { event, eventId } of entries) tables.recordAuditEvent(event, eventId);
    return true;
  }

  async releaseReservation(
    conversionId: string,
    customerId: string,
    options: ReleaseOptions = {},
  ): Promise<ReleaseResult> {
    const { tables } = this;
    let dailyPointsRefunded = false;
    if (options.refundDailyPoints && !tables.dailyRefunded.has(conversionId)) {
      const day = `${customerId}#${options.refundDailyPoints.shopDate}`;
      tables.dailyPoints.set(day, (tables.dailyPoints.get(day) ?? 0) - options.refundDailyPoints.points);
      tables.dailyRefunded.add(conversionId);
      const conversion = tables.conversions.get(conversionId);
      if (conversion) conversion.dailyRefunded = true;
      dailyPointsRefunded = true;
    }
    const leaseReleased = tables.leases.get(customerId) === conversionId;
    if (leaseReleased) tables.leases.delete(customerId);
    return { leaseReleased, dailyPointsRefunded };
  }
}

// ---- coupons ----

export class InMemoryCouponStore implements CouponStore {
  constructor(private readonly tables: FakeTables) {}

  async putCoupon(input: NewCoupon): Promise<{ created: boolean; coupon: CouponRecord }> {
    const code = input.code.toUpperCase();
    const existing = this.tables.coupons.get(code);
    if (existing) {
      if (existing.coupon.conversionId !== input.conversionId) {
        throw new Conflict("coupon_code_taken", `Coupon code ${code} belongs to another conversion`);
      }
      return { created: false, coupon: copy(existing.coupon) };
    }
    const now = this.tables.stamp();
    const coupon: CouponRecord = { ...input, code, createdAt: now, updatedAt: now };
    this.tables.coupons.set(code, { coupon, guard: {} });
    return { created: true, coupon: copy(coupon) };
  }

  async getCoupon(code: string) {
    return this.tables.coupon(code);
  }

  async listCouponsByCustomer(customerId: string, request: PageRequest) {
    const mine = [...this.tables.coupons.values()].filter(
      (stored) => stored.coupon.customerId === customerId,
    );
    return page(
      mine.reverse().map((stored) => copy(stored.coupon)),
      request,
    );
  }

  async updateCouponStatus(
    code: string,
    expectedStatuses: readonly CouponStatus[],
    patch: CouponPatch,
  ): Promise<CouponRecord> {
    const upper = code.toUpperCase();
    const stored = this.tables.coupons.get(upper);
    if (!stored) throw new NotFound("coupon_not_found", `Coupon ${upper} does not exist`);
    if (!expectedStatuses.includes(stored.coupon.status)) {
      throw new CouponStatusConflict(upper, stored.coupon.status, expectedStatuses);
    }
    stored.coupon = { ...stored.coupon, ...defined(patch), updatedAt: this.tables.stamp() };
    return copy(stored.coupon);
  }
}

// ---- audit trail ----

export class InMemoryAuditTrail implements AuditTrail {
  constructor(private readonly tables: FakeTables) {}

  async appendAuditEvent(event: NewAuditEvent): Promise<AuditEvent> {
    const eventId = event.eventId ?? randomUUID();
    if (this.tables.repeatsAuditEvent(eventId, event)) throw new DuplicateAuditEvent(eventId);
    return this.tables.recordAuditEvent(event, eventId);
  }

  async listAuditEvents(subject: AuditSubject) {
    return this.tables.eventsOf(subject).map(copy);
  }
}

// ---- cancellations ----

export class InMemoryCancellationStore implements CancellationStore {
  constructor(private readonly tables: FakeTables) {}

  async beginCancellation(request: NewCancellation): Promise<BeginResult> {
    const { tables } = this;
    const existing = tables.cancellations.get(request.cancellationId);
    if (existing) return { outcome: "existing", cancellation: copy(existing) };
    const code = request.code.toUpperCase();
    const stored = tables.coupons.get(code);
    if (stored?.coupon.status !== "active") {
      return { outcome: "coupon_not_active", couponStatus: stored?.coupon.status };
    }
    const now = tables.stamp();
    const cancellation: CancellationRecord = {
      ...request,
      code,
      status: "running",
      createdAt: now,
      updatedAt: now,
    };
    tables.cancellations.set(cancellation.cancellationId, cancellation);
    stored.coupon = { ...stored.coupon, status: "cancelling", updatedAt: now };
    stored.guard = { ...stored.guard, cancellationId: cancellation.cancellationId };
    return { outcome: "started", cancellation: copy(cancellation) };
  }

  async getCancellation(cancellationId: string) {
    const found = this.tables.cancellations.get(cancellationId);
    return found ? copy(found) : undefined;
  }

  async listCancellationsByStatus(status: CancellationStatus, request: PageRequest) {
    const found = [...this.tables.cancellations.values()].filter((c) => c.status === status);
    return page(found.reverse().map(copy), request);
  }

  async updateCancellation(
    cancellationId: string,
    expected: readonly CancellationStatus[],
    patch: CancellationPatch,
  ): Promise<CancellationRecord> {
    const current = this.tables.cancellations.get(cancellationId);
    if (!current)
      throw new NotFound("cancellation_not_found", `Cancellation ${cancellationId} does not exist`);
    if (!expected.includes(current.status)) {
      throw new Conflict(
        "cancellation_status_conflict",
        `Cancellation ${cancellationId} is ${current.status}, expected ${expected.join(" or ")}`,
      );
    }
    const updated = { ...current, ...defined(patch), updatedAt: this.tables.stamp() };
    this.tables.cancellations.set(cancellationId, updated);
    return copy(updated);
  }

  async markRefundStarted(
    code: string,
    cancellationId: string,
    attempt: number,
    at: Date,
    balanceBefore: number,
  ): Promise<boolean> {
    const stored = this.tables.coupons.get(code.toUpperCase());
    if (stored?.coupon.status !== "cancelling" || stored.guard.cancellationId !== cancellationId) {
      return false;
    }
    if ((stored.guard.refundAttempts ?? 0) !== attempt - 1) return false;
    // The first attempt's start and balance stay: reconciliation looks from there.
    stored.guard = {
      ...stored.guard,
      refundAttempts: attempt,
      refundStartedAt: stored.guard.refundStartedAt ?? at.toISOString(),
      refundBalanceBefore: stored.guard.refundBalanceBefore ?? balanceBefore,
    };
    return true;
  }

  async refundGuardOf(code: string) {
    return this.tables.guard(code);
  }

  async releaseCoupon(code: string, cancellationId: string): Promise<boolean> {
    const stored = this.tables.coupons.get(code.toUpperCase());
    if (stored?.coupon.status !== "cancelling" || stored.guard.cancellationId !== cancellationId) {
      return false;
    }
    stored.coupon = { ...stored.coupon, status: "active", updatedAt: this.tables.stamp() };
    stored.guard = {};
    return true;
  }
}

// ---- resolutions of parked records ----

function claimed<R extends { claimId: string; createdAt: string }>(
  tables: FakeTables,
  held: Map<string, R>,
  id: string,
  record: Omit<R, "status" | "claimedAt" | "createdAt" | "updatedAt">,
  previous: R | undefined,
): R | undefined {
  const current = held.get(id);
  if (previous === undefined ? current !== undefined : current?.claimId !== previous.claimId)
    return undefined;
  const now = tables.stamp();
  const stored = {
    ...record,
    status: "pending",
    claimedAt: now,
    createdAt: previous?.createdAt ?? now,
    updatedAt: now,
  } as unknown as R;
  held.set(id, stored);
  return copy(stored);
}

/** The coupon's part of a commit: refused unless the coupon is in its expected status. */
function couponPartHolds(
  tables: FakeTables,
  change:
    | { kind: "none" }
    | { kind: "update"; code: string; expected: CouponStatus }
    | { kind: "create"; coupon: NewCoupon },
): boolean {
  if (change.kind === "none") return true;
  if (change.kind === "create") return !tables.coupons.has(change.coupon.code.toUpperCase());
  return tables.coupons.get(change.code.toUpperCase())?.coupon.status === change.expected;
}

export class InMemoryResolutionStore implements ResolutionStore {
  constructor(private readonly tables: FakeTables) {}

  async get(conversionId: string) {
    const found = this.tables.resolutions.get(conversionId);
    return found ? copy(found) : undefined;
  }

  async claim(claim: NewClaim, previous?: ResolutionRecord) {
    return claimed(this.tables, this.tables.resolutions, claim.conversionId, claim, previous);
  }

  async commit({ claim, conversion, coupon, answer, trail }: ResolutionCommit): Promise<void> {
    const { tables } = this;
    const stored = tables.conversions.get(conversion.conversionId);
    const held = tables.resolutions.get(claim.conversionId);
    if (stored?.status !== "needs_review") throw new ResolutionCommitRefused("conversion");
    if (held?.status !== "pending" || held.claimId !== claim.claimId)
      throw new ResolutionCommitRefused("claim");
    if (!couponPartHolds(tables, coupon)) throw new ResolutionCommitRefused("coupon");
    const now = tables.stamp();
    tables.conversions.set(stored.conversionId, {
      ...stored,
      ...defined(conversion.fields),
      status: conversion.status,
      updatedAt: now,
    });
    tables.resolutions.set(claim.conversionId, {
      ...held,
      status: "resolved",
      answer,
      trail,
      updatedAt: now,
    });
    if (coupon.kind === "create") {
      const code = coupon.coupon.code.toUpperCase();
      tables.coupons.set(code, {
        coupon: { ...coupon.coupon, code, createdAt: now, updatedAt: now },
        guard: {},
      });
    }
    if (coupon.kind === "update") {
      const target = tables.coupons.get(coupon.code.toUpperCase());
      if (target) target.coupon = { ...target.coupon, ...defined(coupon.patch), updatedAt: now };
    }
  }
}

export class InMemoryCancellationResolutionStore implements CancellationResolutionStore {
  constructor(private readonly tables: FakeTables) {}

  async get(cancellationId: string) {
    const found = this.tables.cancellationResolutions.get(cancellationId);
    return found ? copy(found) : undefined;
  }

  async claim(claim: NewCancellationClaim, previous?: CancellationResolutionRecord) {
    return claimed(this.tables, this.tables.cancellationResolutions, claim.cancellationId, claim, previous);
  }

  async commit({ claim, cancellation, coupon, answer, trail }: CancellationResolutionCommit): Promise<void> {
    const { tables } = this;
    const stored = tables.cancellations.get(cancellation.cancellationId);
    const held = tables.cancellationResolutions.get(claim.cancellationId);
    if (stored?.status !== "needs_review") throw new ResolutionCommitRefused("cancellation");
    if (held?.status !== "pending" || held.claimId !== claim.claimId)
      throw new ResolutionCommitRefused("claim");
    if (!couponPartHolds(tables, coupon)) throw new ResolutionCommitRefused("coupon");
    const now = tables.stamp();
    tables.cancellations.set(stored.cancellationId, {
      ...stored,
      ...defined(cancellation.patch),
      status: cancellation.status,
      updatedAt: now,
    });
    tables.cancellationResolutions.set(claim.cancellationId, {
      ...held,
      status: "resolved",
      answer,
      trail,
      updatedAt: now,
    });
    if (coupon.kind === "update") {
      const target = tables.coupons.get(coupon.code.toUpperCase());
      if (target) {
        target.coupon = { ...target.coupon, ...defined(coupon.patch), updatedAt: now };
        if (coupon.releaseGuard) target.guard = {};
      }
    }
  }
}

// ---- point adjustments ----

export class InMemoryAdjustmentStore implements AdjustmentStore {
  constructor(private readonly tables: FakeTables) {}

  async get(customerId: string, idempotencyKey: string) {
    const found = this.tables.adjustments.get(`${customerId}#${idempotencyKey}`);
    return found ? copy(found) : undefined;
  }

  async create(adjustment: NewAdjustment): Promise<{ created: boolean; record: AdjustmentRecord }> {
    const key = `${adjustment.customerId}#${adjustment.idempotencyKey}`;
    const existing = this.tables.adjustments.get(key);
    if (existing) return { created: false, record: copy(existing) };
    const now = this.tables.stamp();
    const record: AdjustmentRecord = { ...adjustment, createdAt: now, updatedAt: now };
    this.tables.adjustments.set(key, record);
    return { created: true, record: copy(record) };
  }

  async transition(
    adjustment: AdjustmentRecord,
    expected: readonly AdjustmentStatus[],
    patch: AdjustmentPatch,
    options: { sameAttempt?: boolean } = {},
  ): Promise<AdjustmentRecord> {
    const key = `${adjustment.customerId}#${adjustment.idempotencyKey}`;
    const current = this.tables.adjustments.get(key);
    if (!current)
      throw new NotFound(
        "adjustment_not_found",
        `Point adjustment ${adjustment.adjustmentId} does not exist`,
      );
    const sameAttempt = !options.sameAttempt || current.attemptStartedAt === adjustment.attemptStartedAt;
    if (!expected.includes(current.status) || !sameAttempt) {
      throw new AdjustmentStatusConflict(adjustment.adjustmentId, current.status);
    }
    const updated = { ...current, ...defined(patch), updatedAt: this.tables.stamp() };
    this.tables.adjustments.set(key, updated);
    return copy(updated);
  }

  async listByCustomer(customerId: string, limit: number) {
    return [...this.tables.adjustments.values()]
      .filter((adjustment) => adjustment.customerId === customerId)
      .reverse()
      .slice(0, limit)
      .map(copy);
  }

  async findById(customerId: string, adjustmentId: string) {
    const found = [...this.tables.adjustments.values()].find(
      (adjustment) => adjustment.customerId === customerId && adjustment.adjustmentId === adjustmentId,
    );
    return found ? copy(found) : undefined;
  }

  async listByStatus(status: AdjustmentStatus, page: PageRequest): Promise<Page<AdjustmentRecord>> {
    const items = [...this.tables.adjustments.values()]
      .filter((adjustment) => adjustment.status === status)
      .reverse()
      .slice(0, page.limit)
      .map(copy);
    return { items };
  }
}

// ---- alerts and notices ----

export class RecordingAlerts implements AdminAlerts {
  readonly raised: Array<{ kind: AlertKind; summary: string; details: Record<string, unknown> }> = [];
  async raise(kind: AlertKind, summary: string, details: Record<string, unknown>): Promise<void> {
    this.raised.push({ kind, summary, details });
  }
  kinds(): AlertKind[] {
    return this.raised.map((alert) => alert.kind);
  }
}

export class RecordingNotices implements CustomerNotices {
  readonly sent: CouponCancelledNotice[] = [];
  readonly #failures: Error[] = [];
  failNext(...errors: Error[]): this {
    this.#failures.push(...errors);
    return this;
  }
  async sendCouponCancelled(notice: CouponCancelledNotice): Promise<string> {
    const error = this.#failures.shift();
    if (error) throw error;
    this.sent.push(notice);
    return `message-${this.sent.length}`;
  }
}
