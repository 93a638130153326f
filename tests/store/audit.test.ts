import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { DynamoAuditHistory } from "../../shared/adapters/dynamodb";
import { type AuditSubject, DuplicateAuditEvent, type NewAuditEvent } from "../../shared/store";
import { useTestTables } from "../setup/dynamodb";

const { client, names } = await useTestTables();
const trail = new DynamoAuditHistory({ client, tableName: names.audit });

function conversion(): AuditSubject {
  return { type: "conversion", id: randomUUID() };
}

function event(subject: AuditSubject, overrides: Partial<NewAuditEvent> = {}): NewAuditEvent {
  return {
    subject,
    type: "conversion.reserved",
    actor: { kind: "customer", id: "7001" },
    outcome: "succeeded",
    ...overrides,
  };
}

describe("audit trail", () => {
  it("lists a subject's events oldest first, whatever order they were written in", async () => {
    // Prepare
    const subject = conversion();
    await trail.appendAuditEvent(
      event(subject, {
        type: "points.deducted",
        actor: { kind: "system", id: "convert-points/deduct" },
        at: "2025-06-01T03:00:02.000Z",
        data: { points: 500 },
        externalIds: { smaregiTransactionHeadIds: ["9001"] },
      }),
    );
    await trail.appendAuditEvent(event(subject, { at: "2025-06-01T03:00:00.000Z" }));

    // Act
    const events = await trail.listAuditEvents(subject);

    // Assess
    expect(events.map((entry) => [entry.at, entry.type])).toEqual([
      ["2025-06-01T03:00:00.000Z", "conversion.reserved"],
      ["2025-06-01T03:00:02.000Z", "points.deducted"],
    ]);
    expect(events[1]).toMatchObject({
      subject,
      data: { points: 500 },
      externalIds: { smaregiTransactionHeadIds: ["9001"] },
    });
  });

  it("refuses to record the same event twice (append-only)", async () => {
    // Prepare
    const subject = conversion();
    const retried = event(subject, { eventId: "execution-1/Deduct", at: "2025-06-01T03:00:01.000Z" });
    await trail.appendAuditEvent(retried);

    // Act
    const second = trail.appendAuditEvent({ ...retried, outcome: "failed" });

    // Assess
    await expect(second).rejects.toBeInstanceOf(DuplicateAuditEvent);
    await expect(second).rejects.toMatchObject({ code: "audit_event_exists" });
    const events = await trail.listAuditEvents(subject);
    expect(events.map((entry) => entry.outcome)).toEqual(["succeeded"]);
  });

  it("refuses a step's event written again at another instant, as a repeated step writes it", async () => {
    // Prepare: the first run of a step wrote its event, then died; its repeat writes it again now.
    const subject = conversion();
    await trail.appendAuditEvent(
      event(subject, {
        type: "points.returned",
        eventId: "points-returned-1",
        at: "2025-06-01T03:00:01.000Z",
      }),
    );

    // Act
    const again = trail.appendAuditEvent(
      event(subject, {
        type: "points.returned",
        eventId: "points-returned-1",
        at: "2025-06-01T03:05:00.000Z",
      }),
    );

    // Assess
    await expect(again).rejects.toBeInstanceOf(DuplicateAuditEvent);
    const events = await trail.listAuditEvents(subject);
    expect(events.map((entry) => [entry.at, entry.type])).toEqual([
      ["2025-06-01T03:00:01.000Z", "points.returned"],
    ]);
  });

  it("records one event under a conversion and its coupon together, or not at all", async () => {
    // Prepare
    const subject = conversion();
    const coupon: AuditSubject = { type: "coupon", id: "70934-ab12cd-500" };
    const created = event(subject, {
      type: "coupon.created",
      actor: { kind: "system", id: "convert-points/create-coupon" },
      relatedSubjects: [coupon],
      externalIds: { shopifyDiscountId: "gid://shopify/DiscountCodeNode/1" },
    });

    // Act
    const stored = await trail.appendAuditEvent(created);
    const otherConversion = conversion();
    const clash = await trail
      .appendAuditEvent({ ...created, subject: otherConversion, eventId: stored.eventId, at: stored.at })
      .catch((error: unknown) => error);

    // Assess
    expect(await trail.listAuditEvents(subject)).toEqual([stored]);
    expect(await trail.listAuditEvents({ type: "coupon", id: "70934-AB12CD-500" })).toEqual([stored]);
    expect(stored.relatedSubjects).toEqual([{ type: "coupon", id: "70934-AB12CD-500" }]);
    expect(clash).toBeInstanceOf(DuplicateAuditEvent);
    expect(await trail.listAuditEvents(otherConversion)).toEqual([]);
  });
});
