import {
  type CouponChange,
  type ResolutionCommit,
  type ResolutionCommitPart,
  type ResolutionRecord,
  type ResolutionStore,
  resolutionRecordSchema,
} from "../../conversion/resolution-records";
import type { ConversionStatus } from "../../store";
import { conditionalStatusUpdate, type RepositoryOptions, transactWrite, withoutUndefined } from "./common";
import { couponIndexUpdate, newCouponItem } from "./coupons";
import * as keys from "./keys";
import { commitRefusal, DynamoResolutionClaims } from "./resolution-claims";

/** The conversion resolutions' claims and their commit (shared/conversion/resolution-records.ts). */

export class DynamoResolutionStore
  extends DynamoResolutionClaims<ResolutionRecord>
  implements ResolutionStore
{
  constructor(options: RepositoryOptions) {
    super(
      options,
      keys.conversionResolution,
      (item) => resolutionRecordSchema.parse(item),
      (claim) => claim.conversionId,
    );
  }

  async commit({ claim, conversion, coupon, answer, trail }: ResolutionCommit): Promise<void> {
    const now = this.now().toISOString();
    const conversionUpdate = conditionalStatusUpdate(
      {
        ...withoutUndefined(conversion.fields),
        status: conversion.status,
        gsi2pk: keys.conversionStatus(conversion.status),
        updatedAt: now,
      },
      ["needs_review"] satisfies ConversionStatus[],
    );
    const items: NonNullable<Parameters<typeof transactWrite>[1]["TransactItems"]> = [
      {
        Update: {
          TableName: this.table,
          Key: keys.conversion(conversion.conversionId),
          ...conversionUpdate,
        },
      },
      this.resolvedItem(claim.conversionId, claim, { answer, trail, now }),
    ];
    const couponItem = this.#couponItem(coupon, now);
    if (couponItem) items.push(couponItem);
    try {
      await transactWrite(this.client, { TransactItems: items });
    } catch (error) {
      throw commitRefusal<ResolutionCommitPart>(error, ["conversion", "claim", "coupon"]);
    }
  }

  #couponItem(change: CouponChange, now: string) {
    switch (change.kind) {
      case "none":
        return undefined;
      case "update": {
        const index = change.patch.status === undefined ? undefined : couponIndexUpdate(change.patch.status);
        return {
          Update: {
            TableName: this.table,
            Key: keys.coupon(change.code),
            ...conditionalStatusUpdate(
              { ...withoutUndefined(change.patch), ...index?.fields, updatedAt: now },
              [change.expected],
              index?.move,
            ),
          },
        };
      }
      case "create":
        // The same item the coupon store writes, index keys included.
        return {
          Put: {
            TableName: this.table,
            Item: newCouponItem(change.coupon, now).item,
            ConditionExpression: "attribute_not_exists(pk)",
          },
        };
    }
  }
}
