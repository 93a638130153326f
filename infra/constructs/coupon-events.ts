import { Duration } from "aws-cdk-lib";
import type { Table } from "aws-cdk-lib/aws-dynamodb";
import { EventBus } from "aws-cdk-lib/aws-events";
import { Effect, PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { CfnPipe } from "aws-cdk-lib/aws-pipes";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { couponEventTypePrefix } from "../../shared/rewards/handoff";

export interface CouponEventsProps {
  /** The append-only audit table, with a NEW_IMAGE stream: the outbox the events are read from. */
  readonly auditTable: Table;
  readonly namePrefix: string;
}

/** Only new audit items of a coupon event type: every other audit event stays in the table. */
export const couponEventFilter = {
  eventName: ["INSERT"],
  dynamodb: { NewImage: { type: { S: [{ prefix: couponEventTypePrefix }] } } },
};

/**
 * What a consumer gets as `detail`: the ids to de-duplicate on and the event's payload as JSON
 * text (the audit item keeps it as a string; `JSON.parse(detail.payload)`).
 */
export const couponEventDetailTemplate =
  '{"eventId": <$.dynamodb.NewImage.eventId.S>, "conversionId": <$.dynamodb.NewImage.data.M.conversionId.S>, "payload": <$.dynamodb.NewImage.data.M.payload.S>}';

/**
 * How long the pipe keeps trying a batch it cannot put on the bus before it gives it up to the
 * dead-letter queue: bounded, so that one failing batch does not hold back every later coupon event
 * of its shard, and well inside the stream's 24 hours.
 */
export const COUPON_EVENT_RETRY = { maximumRetryAttempts: 10, maximumRecordAgeInSeconds: 3600 } as const;

/**
 * Custom rewards reach the merchant's integration as EventBridge events: a pipe reads the audit
 * table's stream, keeps the `loyalty.coupon.*` items and puts them on a bus of their own
 * (`detail-type` = the event type, `source` = `loyalty`). The merchant adds rules on that bus.
 * Delivery is at least once. A batch that still fails after `COUPON_EVENT_RETRY` is described (its
 * shard and sequence numbers, not the events) in the dead-letter queue, which an alarm watches; the
 * audit table keeps every event for replay.
 */
export class CouponEvents extends Construct {
  readonly bus: EventBus;
  readonly pipe: CfnPipe;
  readonly role: Role;
  /** Batches the pipe gave up on. */
  readonly deadLetters: Queue;

  constructor(scope: Construct, id: string, props: CouponEventsProps) {
    super(scope, id);
    const streamArn = props.auditTable.tableStreamArn;
    if (!streamArn) throw new Error("The audit table needs a stream for the coupon events");

    this.bus = new EventBus(this, "Bus", { eventBusName: `${props.namePrefix}-coupon-events` });
    this.deadLetters = new Queue(this, "DeadLetters", {
      // The longest SQS keeps a message: time to re-publish the events from the audit table.
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });

    const role = new Role(this, "PipeRole", {
      assumedBy: new ServicePrincipal("pipes.amazonaws.com"),
      description: "Reads the audit table's stream and puts coupon events on the coupon event bus",
    });
    this.role = role;
    role.addToPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
        resources: [streamArn],
      }),
    );
    // ListStreams names no stream; IAM grants it on * only.
    role.addToPolicy(
      new PolicyStatement({ effect: Effect.ALLOW, actions: ["dynamodb:ListStreams"], resources: ["*"] }),
    );
    role.addToPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ["events:PutEvents"],
        resources: [this.bus.eventBusArn],
      }),
    );
    role.addToPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ["sqs:SendMessage"],
        resources: [this.deadLetters.queueArn],
      }),
    );

    this.pipe = new CfnPipe(this, "Pipe", {
      name: `${props.namePrefix}-coupon-events`,
      description: "Custom reward coupon events from the audit table's stream to the coupon event bus",
      roleArn: role.roleArn,
      source: streamArn,
      sourceParameters: {
        dynamoDbStreamParameters: {
          startingPosition: "TRIM_HORIZON",
          batchSize: 10,
          ...COUPON_EVENT_RETRY,
          // A failing batch is split until the one failing event is left, so only it is given up.
          onPartialBatchItemFailure: "AUTOMATIC_BISECT",
          deadLetterConfig: { arn: this.deadLetters.queueArn },
        },
        filterCriteria: { filters: [{ pattern: JSON.stringify(couponEventFilter) }] },
      },
      target: this.bus.eventBusArn,
      targetParameters: {
        eventBridgeEventBusParameters: { source: "loyalty", detailType: "$.dynamodb.NewImage.type.S" },
        inputTemplate: couponEventDetailTemplate,
      },
    });
    this.pipe.node.addDependency(role);
  }
}
