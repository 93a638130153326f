import { describe, expect, it } from "vitest";
import {
  COUPON_EVENT_RETRY,
  couponEventDetailTemplate,
  couponEventFilter,
} from "../../infra/constructs/coupon-events";
import { couponIssuedType, couponRevokedType } from "../../shared/rewards/handoff";
import { actionsOf, buildTestStack, logicalIdOf, type Resources, statementsOfRole } from "./helpers";

/**
 * Custom rewards' events leave the audit table (the outbox) through its stream and an EventBridge
 * pipe to a bus of their own. The local stack has no pipe; what the pipe does with an item is
 * checked here against the same filter and template the stack deploys.
 */
describe("Coupon events for the merchant's integration", () => {
  const { stack, template } = buildTestStack();
  const resources = template.toJSON().Resources as Resources;
  const pipe = resources[logicalIdOf(stack.couponEvents.pipe)]?.Properties as Record<string, unknown>;
  const auditId = logicalIdOf(stack.auditTable);
  const busId = logicalIdOf(stack.couponEvents.bus);
  const deadLettersId = logicalIdOf(stack.couponEvents.deadLetters);

  it("streams new audit items and pipes them from that stream to the coupon event bus", () => {
    expect(resources[auditId]?.Properties?.StreamSpecification).toEqual({ StreamViewType: "NEW_IMAGE" });
    expect(pipe.Source).toEqual({ "Fn::GetAtt": [auditId, "StreamArn"] });
    expect(pipe.Target).toEqual({ "Fn::GetAtt": [busId, "Arn"] });
    expect(pipe.TargetParameters).toMatchObject({
      EventBridgeEventBusParameters: { Source: "loyalty", DetailType: "$.dynamodb.NewImage.type.S" },
      InputTemplate: couponEventDetailTemplate,
    });
  });

  it("forwards only inserted coupon events, never other audit history", () => {
    const pattern = JSON.parse(
      (pipe.SourceParameters as { FilterCriteria: { Filters: Array<{ Pattern: string }> } }).FilterCriteria
        .Filters[0]?.Pattern ?? "{}",
    );
    expect(pattern).toEqual(couponEventFilter);
    const prefix = pattern.dynamodb.NewImage.type.S[0].prefix as string;
    expect(couponIssuedType.startsWith(prefix)).toBe(true);
    expect(couponRevokedType.startsWith(prefix)).toBe(true);
    expect("conversion.completed".startsWith(prefix)).toBe(false);
    expect(pattern.eventName).toEqual(["INSERT"]);
  });

  it("gives a batch up to a dead-letter queue after bounded retries, instead of retrying it forever", () => {
    expect(pipe.SourceParameters).toMatchObject({
      DynamoDBStreamParameters: {
        MaximumRetryAttempts: COUPON_EVENT_RETRY.maximumRetryAttempts,
        MaximumRecordAgeInSeconds: COUPON_EVENT_RETRY.maximumRecordAgeInSeconds,
        OnPartialBatchItemFailure: "AUTOMATIC_BISECT",
        DeadLetterConfig: { Arn: { "Fn::GetAtt": [deadLettersId, "Arn"] } },
      },
    });
    // Bounded, and given up while the stream (24 hours) still holds the records it names.
    expect(COUPON_EVENT_RETRY.maximumRetryAttempts).toBeGreaterThan(0);
    expect(COUPON_EVENT_RETRY.maximumRecordAgeInSeconds).toBeGreaterThan(0);
    expect(COUPON_EVENT_RETRY.maximumRecordAgeInSeconds).toBeLessThan(24 * 3600);
    expect(resources[deadLettersId]?.Properties).toMatchObject({
      MessageRetentionPeriod: 14 * 24 * 3600,
      SqsManagedSseEnabled: true,
    });
  });

  it("lets the pipe read that stream, put events on that bus and dead-letter to its queue, nothing more", () => {
    const statements = statementsOfRole(resources, logicalIdOf(stack.couponEvents.role));
    expect(statements.map((statement) => [[...actionsOf(statement)].sort(), statement.Resource])).toEqual([
      [
        ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
        { "Fn::GetAtt": [auditId, "StreamArn"] },
      ],
      [["dynamodb:ListStreams"], "*"],
      [["events:PutEvents"], { "Fn::GetAtt": [busId, "Arn"] }],
      [["sqs:SendMessage"], { "Fn::GetAtt": [deadLettersId, "Arn"] }],
    ]);
  });

  it("builds a valid JSON detail from an audit item's fields", () => {
    // The template's placeholders name the attributes the outbox writes (see shared/rewards/handoff.ts).
    const filled = couponEventDetailTemplate
      .replace("<$.dynamodb.NewImage.eventId.S>", JSON.stringify("coupon-issued-C1"))
      .replace("<$.dynamodb.NewImage.data.M.conversionId.S>", JSON.stringify("C1"))
      .replace("<$.dynamodb.NewImage.data.M.payload.S>", JSON.stringify(JSON.stringify({ code: "X" })));
    expect(JSON.parse(filled)).toEqual({
      eventId: "coupon-issued-C1",
      conversionId: "C1",
      payload: '{"code":"X"}',
    });
  });
});
