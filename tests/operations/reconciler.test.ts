import { describe, expect, it } from "vitest";
import type { CancellationRecord, CancellationStatus } from "../../shared/cancellation/records";
import { orderOf } from "../../shared/conversion/request";
import type { ConversionOrder } from "../../shared/conversion/saga";
import type { Healing } from "../../shared/operations/parked";
import type {
  CancellationReconcilerDependencies,
  ReconcilerDependencies,
  SagaRun,
} from "../../shared/operations/ports";
import {
  defaultThresholds,
  reconcileStuckCancellations,
  reconcileStuckConversions,
} from "../../shared/operations/reconciler";
import type { AlertKind } from "../../shared/ports";
import type {
  AuditEvent,
  AuditSubject,
  ConversionRecord,
  ConversionStatus,
  NewAuditEvent,
} from "../../shared/store";

const NOW = new Date("2026-05-01T12:00:00.000Z");
const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000).toISOString();

function conversion(
  id: string,
  status: ConversionStatus,
  ageMinutes: number,
  updatedAgeMinutes = ageMinutes,
) {
  return {
    conversionId: id,
    customerId: "8840734670934",
    customerGid: "gid://shopify/Customer/8840734670934",
    memberNumber: "8840734670934",
    points: 500,
    amount: 500,
    currency: "JPY",
    code: `70934-${id.toUpperCase()}-500`,
    startsAt: minutesAgo(ageMinutes),
    expiresAt: "2027-05-01T12:00:00.000Z",
    status,
    idempotencyKey: `key-${id}`,
    requestHash: "hash",
    shopDate: "2026-05-01",
    createdAt: minutesAgo(ageMinutes),
    updatedAt: minutesAgo(updatedAgeMinutes),
    ...(status === "needs_review" ? { reviewReason: "deduction outcome unknown" } : {}),
  } satisfies ConversionRecord;
}

/**
 * In-memory ports: conversions by id, saga runs by conversion id, an audit trail, raised alerts, and
 * what healing a parked record finds (ambiguous evidence unless `healings` says otherwise).
 */
function fakes(
  records: ConversionRecord[],
  runs: Record<string, SagaRun | "none"> = {},
  healings: Record<string, Healing> = {},
) {
  const conversions = new Map(records.map((record) => [record.conversionId, record]));
  const healed: string[] = [];
  const started: ConversionOrder[] = [];
  const events: AuditEvent[] = [];
  const alerts: Array<{ kind: AlertKind; summary: string; details: Record<string, unknown> }> = [];
  const deps: ReconcilerDependencies = {
    conversions: {
      // Newest first, two per page, like the byStatus index.
      async listConversionsByStatus(status, page) {
        const all = [...conversions.values()]
          .filter((record) => record.status === status)
          .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
        const from = page.cursor ? Number(page.cursor) : 0;
        const items = all.slice(from, from + 2);
        return { items, ...(from + 2 < all.length ? { nextCursor: String(from + 2) } : {}) };
      },
      async getConversion(id) {
        return conversions.get(id);
      },
    },
    sagas: {
      async ensureStarted(order) {
        started.push(order);
        const run = runs[order.conversionId] ?? "none";
        const arn = `arn:aws:states:ap-northeast-1:000000000000:execution:convert:${order.conversionId}`;
        return run === "none" ? { state: "started", executionArn: arn } : run;
      },
    },
    async healParked(record) {
      healed.push(record.conversionId);
      return healings[record.conversionId] ?? { kind: "left", reason: "the POS evidence is unknown" };
    },
    audit: {
      async appendAuditEvent(event: NewAuditEvent) {
        const stored = {
          ...event,
          eventId: `e${events.length}`,
          at: event.at ?? NOW.toISOString(),
        } as AuditEvent;
        events.push(stored);
        return stored;
      },
      async listAuditEvents(subject: AuditSubject) {
        return events.filter(
          (event) => event.subject.type === subject.type && event.subject.id === subject.id,
        );
      },
    },
    alerts: {
      async raise(kind, summary, details) {
        alerts.push({ kind, summary, details });
      },
    },
    now: () => NOW,
  };
  return { deps, conversions, started, events, alerts, healed };
}

const arn = (id: string) => `arn:aws:states:ap-northeast-1:000000000000:execution:convert:${id}`;

describe("Reconciling conversions stuck outside a terminal state", () => {
  it("starts the saga of a reservation the API never started, with the API's input, and audits it", async () => {
    // Prepare
    const stuck = conversion("abandoned", "reserved", 20);
    const { deps, started, events, alerts } = fakes([stuck]);

    // Act
    const report = await reconcileStuckConversions(deps);

    // Assess
    expect(report.started).toEqual(["abandoned"]);
    expect(started).toEqual([
      {
        conversionId: "abandoned",
        customerId: stuck.customerId,
        customerGid: stuck.customerGid,
        memberNumber: stuck.memberNumber,
        points: 500,
        amount: 500,
        currency: "JPY",
        code: stuck.code,
        startsAt: stuck.startsAt,
        expiresAt: stuck.expiresAt,
        shopDate: "2026-05-01",
      },
    ]);
    expect(events).toEqual([
      expect.objectContaining({
        subject: { type: "conversion", id: "abandoned" },
        type: "operations.saga_started",
        actor: { kind: "system", id: "operations/reconcile-stuck" },
        outcome: "succeeded",
        externalIds: { executionArn: arn("abandoned") },
      }),
    ]);
    expect(alerts).toEqual([]);
  });

  it("starts a reward conversion with its reward snapshot, exactly as the API would", async () => {
    // Prepare
    const reward = {
      rewardId: "free-shipping",
      version: 2,
      issuedAt: minutesAgo(20),
    } as unknown as NonNullable<ConversionRecord["reward"]>;
    const stuck = { ...conversion("reward", "reserved", 20), rewardId: "free-shipping", reward };
    const { deps, started } = fakes([stuck]);

    // Act
    await reconcileStuckConversions(deps);

    // Assess
    expect(JSON.stringify(started[0])).toBe(JSON.stringify(orderOf(stuck)));
    expect(started[0]).toMatchObject({ rewardId: "free-shipping", reward });
  });

  it("leaves young reservations alone: the API may still be starting them", async () => {
    // Prepare
    const { deps, started } = fakes([conversion("young", "reserved", 14)]);

    // Act
    const report = await reconcileStuckConversions(deps);

    // Assess
    expect(started).toEqual([]);
    expect(report.examined).toBe(0);
  });

  it("lets a running saga run, and alerts once it has run longer than the threshold", async () => {
    // Prepare
    const { deps, alerts, events } = fakes(
      [conversion("slow", "reserved", 40), conversion("busy", "reserved", 20)],
      {
        slow: { state: "running", executionArn: arn("slow"), startedAt: new Date(minutesAgo(40)) },
        busy: { state: "running", executionArn: arn("busy"), startedAt: new Date(minutesAgo(20)) },
      },
    );

    // Act
    const report = await reconcileStuckConversions(deps);

    // Assess
    expect(report.alerted).toEqual([{ conversionId: "slow", finding: "saga_running_too_long" }]);
    expect(alerts).toEqual([
      {
        kind: "needs_review",
        summary: expect.stringContaining("still running"),
        details: expect.objectContaining({ conversionId: "slow", executionArn: arn("slow") }),
      },
    ]);
    expect(events.map((event) => `${event.subject.id}:${event.type}:${event.outcome}`)).toEqual([
      "slow:operations.saga_running_too_long:unknown",
    ]);
  });

  it("alerts when a saga ended but left the conversion reserved, and never decides the outcome", async () => {
    // Prepare
    const stuck = conversion("orphan", "reserved", 60);
    const { deps, alerts, conversions } = fakes([stuck], {
      orphan: { state: "ended", executionArn: arn("orphan") },
    });

    // Act
    const report = await reconcileStuckConversions(deps);

    // Assess
    expect(report.alerted).toEqual([{ conversionId: "orphan", finding: "saga_ended_without_outcome" }]);
    expect(alerts[0]?.summary).toContain("may or may not have been taken");
    expect(conversions.get("orphan")).toEqual(stuck);
  });

  it("does not alert about a saga that finished between the listing and the start", async () => {
    // Prepare
    const { deps, alerts, conversions } = fakes([conversion("done", "reserved", 20)], {
      done: { state: "ended", executionArn: arn("done") },
    });
    const list = deps.conversions.listConversionsByStatus.bind(deps.conversions);
    deps.conversions.listConversionsByStatus = async (status, page) => {
      const listed = await list(status, page);
      const record = conversions.get("done");
      if (record) conversions.set("done", { ...record, status: "completed" });
      return listed;
    };

    // Act
    const report = await reconcileStuckConversions(deps);

    // Assess
    expect(report.alerted).toEqual([]);
    expect(alerts).toEqual([]);
  });

  it("reminds admins of conversions waiting for review for more than a day, once a day", async () => {
    // Prepare
    const { deps, alerts } = fakes([
      conversion("parked", "needs_review", 3000, 25 * 60),
      conversion("fresh", "needs_review", 120, 60),
    ]);

    // Act
    const first = await reconcileStuckConversions(deps);
    const second = await reconcileStuckConversions(deps);
    const nextDay = await reconcileStuckConversions({
      ...deps,
      now: () => new Date(NOW.getTime() + defaultThresholds.realertAfterMs),
    });

    // Assess
    expect(first.alerted).toEqual([{ conversionId: "parked", finding: "review_pending" }]);
    expect(alerts[0]).toMatchObject({
      kind: "needs_review",
      details: { conversionId: "parked", reviewReason: "deduction outcome unknown" },
    });
    expect(second.alerted).toEqual([]);
    expect(second.alreadyAlerted).toEqual([{ conversionId: "parked", finding: "review_pending" }]);
    expect(nextDay.alerted.map((a) => a.conversionId).sort()).toEqual(["fresh", "parked"]);
    expect(alerts).toHaveLength(3);
  });

  it("re-reads the POS for parked conversions on a backoff schedule, and reports the ones it settled", async () => {
    // Prepare: parked 5, 17 and 40 minutes ago; the schedule runs every 5 minutes.
    const { deps, healed } = fakes(
      [
        conversion("five", "needs_review", 30, 5),
        conversion("seventeen", "needs_review", 30, 17),
        conversion("forty", "needs_review", 60, 40),
      ],
      {},
      { forty: { kind: "settled", status: "completed", reason: "POS transaction 7 subtracted 500 points" } },
    );

    // Act
    const report = await reconcileStuckConversions(deps);

    // Assess: 5 and 40 minutes are on the schedule (5, 10, 20, 40, …); 17 is not.
    expect(healed.sort()).toEqual(["five", "forty"]);
    expect(report.settled).toEqual([{ conversionId: "forty", status: "completed" }]);
    expect(report.alerted).toEqual([]);
  });

  it("alerts while a parked conversion's code stays usable, and reports the code once deactivated", async () => {
    // Prepare
    const { deps, alerts } = fakes(
      [conversion("live", "needs_review", 30, 10), conversion("fixed", "needs_review", 30, 20)],
      {},
      {
        live: { kind: "code_still_live", reason: "Shopify is unavailable" },
        fixed: { kind: "code_deactivated", reason: "deactivated" },
      },
    );

    // Act
    const report = await reconcileStuckConversions(deps);

    // Assess
    expect(report.alerted).toEqual([{ conversionId: "live", finding: "parked_code_usable" }]);
    expect(alerts[0]?.summary).toContain("still usable");
    expect(report.deactivated).toEqual(["fixed"]);
  });

  it("checks a record parked long ago every 6 hours", async () => {
    const sixHours = 6 * 60;
    const { deps, healed } = fakes([
      conversion("due", "needs_review", 10_000, 4 * sixHours + 2),
      conversion("not-due", "needs_review", 10_000, 4 * sixHours + 30),
    ]);

    await reconcileStuckConversions(deps);

    expect(healed).toEqual(["due"]);
  });

  it("reads every page of the index", async () => {
    // Prepare
    const records = ["a", "b", "c", "d", "e"].map((id, index) => conversion(id, "reserved", 20 + index));
    const { deps, started } = fakes(records);

    // Act
    const report = await reconcileStuckConversions(deps);

    // Assess
    expect(started.map((order) => order.conversionId).sort()).toEqual(["a", "b", "c", "d", "e"]);
    expect(report.examined).toBe(5);
  });

  it("carries on past a conversion it cannot handle and reports it", async () => {
    // Prepare
    const { deps } = fakes([conversion("broken", "reserved", 30), conversion("fine", "reserved", 20)]);
    const ensure = deps.sagas.ensureStarted.bind(deps.sagas);
    deps.sagas.ensureStarted = async (order) => {
      if (order.conversionId === "broken") throw new Error("throttled");
      return ensure(order);
    };

    // Act
    const report = await reconcileStuckConversions(deps);

    // Assess
    expect(report.started).toEqual(["fine"]);
    expect(report.failures).toEqual([{ conversionId: "broken", error: "Error: throttled" }]);
  });
});

describe("Reconciling cancellations stuck outside a terminal state", () => {
  function cancellation(id: string, status: CancellationStatus, ageMinutes: number): CancellationRecord {
    return {
      cancellationId: id,
      code: `70934-${id.toUpperCase()}-500`,
      idempotencyKey: `key-${id}`,
      requestHash: "hash",
      conversionId: `conv-${id}`,
      customerId: "8840734670934",
      customerGid: "gid://shopify/Customer/8840734670934",
      discountId: `gid://shopify/DiscountCodeNode/${id}`,
      points: 500,
      amount: 500,
      currency: "JPY",
      couponStartsAt: minutesAgo(10_000),
      couponExpiresAt: "2027-05-01T12:00:00.000Z",
      actorId: "admin-sub",
      cancelledBy: "ops@example.com",
      reason: "customer_request",
      requestedAt: minutesAgo(ageMinutes),
      status,
      createdAt: minutesAgo(ageMinutes),
      updatedAt: minutesAgo(ageMinutes),
    };
  }

  function cancellationFakes(records: CancellationRecord[], runs: Record<string, SagaRun> = {}) {
    const { deps: base, events, alerts } = fakes([]);
    const byId = new Map(records.map((record) => [record.cancellationId, record]));
    const started: string[] = [];
    const deps: CancellationReconcilerDependencies = {
      cancellations: {
        async listCancellationsByStatus(status) {
          return { items: [...byId.values()].filter((record) => record.status === status) };
        },
        async getCancellation(id) {
          return byId.get(id);
        },
      },
      sagas: {
        async ensureStarted(order) {
          started.push(order.cancellationId);
          return runs[order.cancellationId] ?? { state: "started", executionArn: arn(order.cancellationId) };
        },
      },
      async healParked() {
        return { kind: "left", reason: "the POS evidence is unknown" };
      },
      audit: base.audit,
      alerts: base.alerts,
      now: base.now,
    };
    return { deps, started, events, alerts, byId };
  }

  it("starts the saga of a cancellation recorded 15 minutes ago or more, on the coupon's trail", async () => {
    const { deps, started, events } = cancellationFakes([
      cancellation("old", "running", 20),
      cancellation("young", "running", 5),
    ]);

    const report = await reconcileStuckCancellations(deps);

    expect(report.started).toEqual(["old"]);
    expect(started).toEqual(["old"]);
    expect(events).toEqual([
      expect.objectContaining({
        subject: { type: "coupon", id: "70934-OLD-500" },
        relatedSubjects: [{ type: "conversion", id: "conv-old" }],
        type: "operations.saga_started",
      }),
    ]);
  });

  it("alerts, without deciding anything, when the run ended but the cancellation still holds its coupon", async () => {
    const { deps, alerts, byId } = cancellationFakes([cancellation("orphan", "running", 60)], {
      orphan: { state: "ended", executionArn: arn("orphan") },
    });

    const first = await reconcileStuckCancellations(deps);
    const second = await reconcileStuckCancellations(deps);

    expect(first.alerted).toEqual([{ cancellationId: "orphan", finding: "saga_ended_without_outcome" }]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      kind: "needs_review",
      details: { cancellationId: "orphan", code: "70934-ORPHAN-500", finding: "saga_ended_without_outcome" },
    });
    expect(alerts[0]?.summary).toContain("may or may not have been refunded");
    expect(second.alreadyAlerted).toEqual([
      { cancellationId: "orphan", finding: "saga_ended_without_outcome" },
    ]);
    expect(byId.get("orphan")?.status).toBe("running");
  });

  it("alerts on a second cancellation of the same coupon although the first was alerted today", async () => {
    const first = cancellation("first", "running", 60);
    const { deps, alerts, byId } = cancellationFakes([first], {
      first: { state: "ended", executionArn: arn("first") },
      second: { state: "ended", executionArn: arn("second") },
    });
    await reconcileStuckCancellations(deps);
    // The operator settles the first; a later cancellation of the same coupon gets stuck too.
    byId.set("first", { ...first, status: "failed" });
    byId.set("second", { ...cancellation("second", "running", 40), code: first.code });

    const report = await reconcileStuckCancellations(deps);

    expect(report.alerted).toEqual([{ cancellationId: "second", finding: "saga_ended_without_outcome" }]);
    expect(alerts).toHaveLength(2);
  });

  it("reminds admins of a cancellation waiting for review for more than a day", async () => {
    const { deps, alerts } = cancellationFakes([cancellation("parked", "needs_review", 26 * 60)]);

    const report = await reconcileStuckCancellations(deps);

    expect(report.alerted).toEqual([{ cancellationId: "parked", finding: "review_pending" }]);
    expect(alerts[0]?.summary).toContain("waiting for review");
  });
});
