import { randomUUID } from "node:crypto";
import { DuplicateAuditEvent } from "../../store/errors";
import type { AuditTrail, NewAuditEvent } from "../../store/ports";
import { type AuditEvent, type AuditSubject, auditEventSchema } from "../../store/records";
import { isConditionalCheckFailed, isTransactionCanceled } from "./client";
import {
  DynamoStore,
  failedCondition,
  type Item,
  type RepositoryOptions,
  transactWrite,
  withoutUndefined,
} from "./common";
import * as keys from "./keys";

/** DynamoDB caps a transaction at 100 items. */
const maxSubjectsPerEvent = 100;

/**
 * An audit event as the table stores it: the event (its id and instant filled in) and one
 * conditional put per subject, which refuses an event already recorded under that subject. The
 * trail appends these; a conversion's completion writes them in its own transaction.
 */
export function auditEventPuts(
  tableName: string,
  { subject, relatedSubjects: related = [], ...input }: NewAuditEvent,
  now: Date,
): { event: AuditEvent; puts: Array<{ TableName: string; Item: Item; ConditionExpression: string }> } {
  const relatedSubjects = related.map(normalised);
  const event = auditEventSchema.parse({
    ...input,
    subject: normalised(subject),
    ...(relatedSubjects.length > 0 ? { relatedSubjects } : {}),
    eventId: input.eventId ?? randomUUID(),
    at: input.at ?? now.toISOString(),
  });
  const subjects = [event.subject, ...relatedSubjects];
  if (subjects.length > maxSubjectsPerEvent) {
    throw new Error(`An audit event can be recorded under at most ${maxSubjectsPerEvent} subjects`);
  }
  // Only puts with a not-exists condition: the table's grants allow nothing else.
  const puts = subjects.map((eventSubject) => ({
    TableName: tableName,
    Item: {
      pk: keys.auditSubject(eventSubject),
      sk: keys.auditEvent(event.eventId),
      ...withoutUndefined(event),
    },
    ConditionExpression: "attribute_not_exists(pk)",
  }));
  return { event, puts };
}

/** Appends to the audit trail; what also reads it back uses `DynamoAuditHistory`. */
export class DynamoAuditTrail extends DynamoStore implements Pick<AuditTrail, "appendAuditEvent"> {
  constructor(options: RepositoryOptions) {
    super(options);
  }

  async appendAuditEvent(input: NewAuditEvent): Promise<AuditEvent> {
    const { event, puts } = auditEventPuts(this.table, input, this.now());
    try {
      const [single] = puts;
      if (puts.length === 1 && single !== undefined) {
        await this.client.put(single);
      } else {
        await transactWrite(this.client, { TransactItems: puts.map((Put) => ({ Put })) });
      }
    } catch (error) {
      const duplicate =
        isConditionalCheckFailed(error) ||
        (isTransactionCanceled(error) && (error.CancellationReasons ?? []).some(failedCondition));
      if (duplicate) throw new DuplicateAuditEvent(event.eventId);
      throw error;
    }
    return event;
  }
}

/** The trail read back too: a subject's events in time order (staff inspection, the reconcilers). */
export class DynamoAuditHistory extends DynamoAuditTrail implements AuditTrail {
  async listAuditEvents(subject: AuditSubject): Promise<AuditEvent[]> {
    const events: AuditEvent[] = [];
    let startKey: Item | undefined;
    // A subject's trail is a few dozen events at most, so read it whole.
    do {
      const result = await this.client.query({
        TableName: this.table,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": keys.auditSubject(subject) },
        ScanIndexForward: true,
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      });
      events.push(...(result.Items ?? []).map((item) => auditEventSchema.parse(item)));
      startKey = result.LastEvaluatedKey;
    } while (startKey !== undefined);
    // In time order: ISO instants sort as text; the id keeps equal instants apart.
    return events.sort((a, b) => compareText(a.at, b.at) || compareText(a.eventId, b.eventId));
  }
}

/** Coupon codes are looked up case-insensitively, so the trail names them the way they are stored. */
function normalised(subject: AuditSubject): AuditSubject {
  return subject.type === "coupon" ? { ...subject, id: subject.id.toUpperCase() } : subject;
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
