import {
  type ClaimRequest,
  type ResolutionClaim,
  ResolutionCommitRefused,
  type ResolutionTrail,
} from "../../resolution/claims";
import { isConditionalCheckFailed, isTransactionCanceled } from "./client";
import {
  conditionalStatusUpdate,
  DynamoStore,
  failedCondition,
  type RepositoryOptions,
  withoutUndefined,
} from "./common";

type ItemKey = { pk: string; sk: string };

/**
 * The claim items of one kind of resolution in the loyalty table; each kind's store adds its
 * commit, the transaction that settles its record together with the claim.
 */
export abstract class DynamoResolutionClaims<R extends ResolutionClaim> extends DynamoStore {
  constructor(
    options: RepositoryOptions,
    readonly keyOf: (id: string) => ItemKey,
    private readonly parse: (item: unknown) => R,
    /** The parked record's id in a claim. */
    private readonly idOf: (claim: ClaimRequest<R>) => string,
  ) {
    super(options);
  }

  async get(id: string): Promise<R | undefined> {
    const result = await this.client.get({
      TableName: this.table,
      Key: this.keyOf(id),
      ConsistentRead: true,
    });
    return result.Item === undefined ? undefined : this.parse(result.Item);
  }

  /**
   * A new item, or one taking the place of `previous` while it is still exactly as read (same
   * claim). Undefined when another claim won.
   */
  async claim(claim: ClaimRequest<R>, previous?: R): Promise<R | undefined> {
    const id = this.idOf(claim);
    const now = this.now().toISOString();
    const record = this.parse({
      ...claim,
      status: "pending",
      claimedAt: now,
      createdAt: previous?.createdAt ?? now,
      updatedAt: now,
    });
    try {
      await this.client.put({
        TableName: this.table,
        Item: { ...this.keyOf(id), ...withoutUndefined(record) },
        ...(previous === undefined
          ? { ConditionExpression: "attribute_not_exists(pk)" }
          : {
              ConditionExpression: "claimId = :previous",
              ExpressionAttributeValues: { ":previous": previous.claimId },
            }),
      });
      return record;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      throw error;
    }
  }

  /** The commit's part for the claim: `resolved` with its answer, only while this claim is pending. */
  protected resolvedItem(
    id: string,
    claim: Pick<ResolutionClaim, "claimId">,
    resolved: { answer: unknown; trail: ResolutionTrail; now: string },
  ) {
    const { answer, trail, now } = resolved;
    const update = conditionalStatusUpdate({ answer, trail, updatedAt: now, status: "resolved" }, [
      "pending",
    ]);
    return {
      Update: {
        TableName: this.table,
        Key: this.keyOf(id),
        ...update,
        ConditionExpression: `${update.ConditionExpression} AND #claim = :claim`,
        ExpressionAttributeNames: { ...update.ExpressionAttributeNames, "#claim": "claimId" },
        ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ":claim": claim.claimId },
      },
    };
  }
}

/**
 * Reads a failed commit transaction: `ResolutionCommitRefused` naming the first item, in the
 * transaction's order (`parts`), whose condition failed; any other error as it came.
 */
export function commitRefusal<Part extends string>(error: unknown, parts: readonly Part[]): unknown {
  if (!isTransactionCanceled(error)) return error;
  const reasons = error.CancellationReasons ?? [];
  const failed = parts.find((_part, index) => failedCondition(reasons[index]));
  return failed === undefined ? error : new ResolutionCommitRefused(failed);
}
