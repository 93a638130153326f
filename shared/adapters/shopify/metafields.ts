import type * as z from "zod/mini";
import { ShopifyUnavailable } from "../../errors";
import type { CustomerRecords } from "../../shopify/ports";
import * as ops from "./metafield-operations";
import { type AdminGraphql, rejectUserErrors } from "./transport";

/**
 * Customers' JSON metafields over the Admin GraphQL API (the coupon record): read, and written
 * with compare-and-set. Create once per container over the container's one `AdminGraphql`.
 */
export class ShopifyCustomerMetafields
  implements Pick<CustomerRecords, "readJsonMetafield" | "updateJsonMetafield">
{
  private readonly metafieldWriteAttempts: number;

  /** `metafieldWriteAttempts`: read-modify-write rounds of `updateJsonMetafield` before giving up; 5 by default. */
  constructor(
    private readonly graphql: AdminGraphql,
    options: { metafieldWriteAttempts?: number } = {},
  ) {
    this.metafieldWriteAttempts = options.metafieldWriteAttempts ?? 5;
  }

  async readJsonMetafield<T>(
    ownerGid: string,
    namespace: string,
    key: string,
    schema: z.ZodMiniType<T>,
  ): Promise<T | null> {
    return (await this.readMetafieldState(ownerGid, namespace, key, schema)).value;
  }

  async updateJsonMetafield<T>(
    ownerGid: string,
    namespace: string,
    key: string,
    update: (current: T | null) => T,
    schema: z.ZodMiniType<T>,
  ): Promise<T> {
    for (let attempt = 1; attempt <= this.metafieldWriteAttempts; attempt += 1) {
      const current = await this.readMetafieldState(ownerGid, namespace, key, schema);
      const next = schema.parse(update(current.value));
      const data = await this.graphql.request(
        "metafieldsSet",
        ops.setMetafields.query,
        {
          metafields: [
            {
              ownerId: ownerGid,
              namespace,
              key,
              type: "json",
              value: JSON.stringify(next),
              // null: write only if nobody created it meanwhile.
              compareDigest: current.digest,
            },
          ],
        },
        ops.setMetafields.schema,
      );
      const { userErrors } = data.metafieldsSet;
      if (userErrors.length === 0) return next;
      // Changed (or deleted) since our read: read again and re-apply the update.
      const conflict = userErrors.every(
        (e) => e.code === "STALE_OBJECT" || e.code === "INVALID_COMPARE_DIGEST",
      );
      if (!conflict) throw rejectUserErrors("metafield write", userErrors);
      await sleep(Math.random() * 20 * attempt);
    }
    throw new ShopifyUnavailable(
      `Metafield ${namespace}.${key} of ${ownerGid} kept changing; gave up after ${this.metafieldWriteAttempts} attempts`,
    );
  }

  private async readMetafieldState<T>(
    ownerGid: string,
    namespace: string,
    key: string,
    schema: z.ZodMiniType<T>,
  ): Promise<{ value: T | null; digest: string | null }> {
    const data = await this.graphql.request(
      "customer",
      ops.customerMetafield.query,
      { id: ownerGid, namespace, key },
      ops.customerMetafield.schema,
    );
    const metafield = data.customer?.metafield;
    if (!metafield) return { value: null, digest: null };
    const parsed = schema.safeParse(safeJson(metafield.value));
    if (!parsed.success) {
      // Never overwrite what we cannot read: that would destroy the record.
      throw new Error(
        `Metafield ${namespace}.${key} of ${ownerGid} does not match its schema: ${parsed.error.message}`,
        {
          cause: parsed.error,
        },
      );
    }
    return { value: parsed.data, digest: metafield.compareDigest };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
