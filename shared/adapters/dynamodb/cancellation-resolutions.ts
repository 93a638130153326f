import {
  type CancellationResolutionCommit,
  type CancellationResolutionPart,
  type CancellationResolutionRecord,
  type CancellationResolutionStore,
  cancellationResolutionRecordSchema,
} from "../../cancellation/resolution-records";
import { refundGuardAttributes } from "./cancellations";
import { conditionalStatusUpdate, type RepositoryOptions, transactWrite, withoutUndefined } from "./common";
import { couponIndexUpdate } from "./coupons";
import * as keys from "./keys";
import { commitRefusal, DynamoResolutionClaims } from "./resolution-claims";

/** The cancellation resolutions' claims and their commit (shared/cancellation/resolution-records.ts). */

export class DynamoCancellationResolutionStore
  extends DynamoResolutionClaims<CancellationResolutionRecord>
  implements CancellationResolutionStore
{
  constructor(options: RepositoryOptions) {
    super(
      options,
      keys.cancellationResolution,
      (item) => cancellationResolutionRecordSchema.parse(item),
      (claim) => claim.cancellationId,
    );
  }

  async commit({ claim, cancellation, coupon, answer, trail }: CancellationResolutionCommit): Promise<void> {
    const now = this.now().toISOString();
    const items: NonNullable<Parameters<typeof transactWrite>[1]["TransactItems"]> = [
      {
        Update: {
          TableName: this.table,
          Key: keys.cancellation(cancellation.cancellationId),
          ...conditionalStatusUpdate(
            {
              ...withoutUndefined(cancellation.patch),
              status: cancellation.status,
              gsi2pk: keys.cancellationStatus(cancellation.status),
              updatedAt: now,
            },
            ["needs_review"],
          ),
        },
      },
      this.resolvedItem(claim.cancellationId, claim, { answer, trail, now }),
    ];
    if (coupon.kind === "update") {
      const index = coupon.patch.status === undefined ? undefined : couponIndexUpdate(coupon.patch.status);
      const update = conditionalStatusUpdate(
        { ...withoutUndefined(coupon.patch), ...index?.fields, updatedAt: now },
        [coupon.expected],
        {
          ...index?.move,
          remove: [...(index?.move.remove ?? []), ...(coupon.releaseGuard ? refundGuardAttributes : [])],
        },
      );
      items.push({ Update: { TableName: this.table, Key: keys.coupon(coupon.code), ...update } });
    }
    try {
      await transactWrite(this.client, { TransactItems: items });
    } catch (error) {
      throw commitRefusal<CancellationResolutionPart>(error, ["cancellation", "claim", "coupon"]);
    }
  }
}
