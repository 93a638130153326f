/**
 * Moves coupons written before the per-status listing keys out of the old single `COUPONS`
 * partition of the status index into `COUPONS#<status>` and the byActivity index (`couponIndexKeys`;
 * an active coupon already past its end straight where the expiry sweep would put it). The admin listing reads the old
 * partition too until it is empty, so this changes no answer, only what a page costs.
 *
 * Idempotent and resumable: it reads only what is still in the old partition, a page at a time,
 * and each move is conditional on the coupon being unchanged since it was read (a coupon whose
 * status changes meanwhile gets its new keys from that write). Run it again until it reports 0.
 *
 *   npm run backfill:coupon-keys -- --table <LoyaltyTableName> [--dry-run] [--page-size 100]
 *   npm run backfill:coupon-keys -- --table loyalty-local --endpoint http://localhost:8000
 *
 * AWS credentials and region come from the environment (AWS_PROFILE, AWS_REGION), as for the CLI.
 */
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { ConditionalCheckFailedException, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocument } from "@aws-sdk/lib-dynamodb";
import { localDynamoDbClientConfig } from "../infra/local/dynamodb";
import type { Item } from "../shared/adapters/dynamodb/common";
import { couponIndexKeysAt } from "../shared/adapters/dynamodb/coupons";
import * as keys from "../shared/adapters/dynamodb/keys";
import { couponStatusSchema } from "../shared/store/records";
import { loyaltyIndexes } from "../shared/tables";

export interface BackfillOptions {
  client: DynamoDBDocument;
  tableName: string;
  now?: () => Date;
  /** Coupons read per page of the old partition. */
  pageSize?: number;
  /** Count what would move, write nothing. */
  dryRun?: boolean;
  /** Called after each page with the totals so far. */
  progress?: (report: BackfillReport) => void;
}

export interface BackfillReport {
  /** Coupons read from the old partition. */
  read: number;
  /** Coupons given their keys (with `dryRun`: that would be). */
  moved: number;
  /** Coupons whose status changed between the read and the move: that write gave them their keys. */
  changedMeanwhile: number;
  /** Items in the old partition this cannot place (no known status): listed, left alone. */
  unplaceable: string[];
}

const concurrency = 10;

export async function backfillCouponKeys(options: BackfillOptions): Promise<BackfillReport> {
  const { client, tableName, dryRun = false } = options;
  const now = options.now ?? (() => new Date());
  const report: BackfillReport = { read: 0, moved: 0, changedMeanwhile: 0, unplaceable: [] };
  let startKey: Item | undefined;
  do {
    const page = await client.query({
      TableName: tableName,
      IndexName: loyaltyIndexes.byStatus,
      KeyConditionExpression: "gsi2pk = :legacy",
      ExpressionAttributeValues: { ":legacy": keys.legacyCoupons },
      Limit: options.pageSize ?? 100,
      ExclusiveStartKey: startKey,
    });
    const items = page.Items ?? [];
    report.read += items.length;
    for (let index = 0; index < items.length; index += concurrency) {
      const outcomes = await Promise.all(
        items.slice(index, index + concurrency).map((item) => move(client, tableName, item, now(), dryRun)),
      );
      outcomes.forEach((outcome, offset) => {
        if (outcome === "moved") report.moved += 1;
        else if (outcome === "changed") report.changedMeanwhile += 1;
        else report.unplaceable.push(String(items[index + offset]?.pk));
      });
    }
    startKey = page.LastEvaluatedKey;
    options.progress?.(report);
  } while (startKey !== undefined);
  return report;
}

async function move(
  client: DynamoDBDocument,
  tableName: string,
  item: Item,
  now: Date,
  dryRun: boolean,
): Promise<"moved" | "changed" | "unplaceable"> {
  const status = couponStatusSchema.safeParse(item.status);
  const { code, expiresAt, createdAt } = item;
  if (
    !status.success ||
    typeof code !== "string" ||
    typeof expiresAt !== "string" ||
    typeof createdAt !== "string"
  ) {
    return "unplaceable";
  }
  if (dryRun) return "moved";
  const target = couponIndexKeysAt({ status: status.data, code, expiresAt, createdAt }, now);
  const names: Record<string, string> = { "#status": "status" };
  const values: Item = { ":legacy": keys.legacyCoupons, ":status": status.data };
  const assignments = Object.entries(target).map(([field, value], index) => {
    names[`#k${index}`] = field;
    values[`:k${index}`] = value;
    return `#k${index} = :k${index}`;
  });
  try {
    await client.update({
      TableName: tableName,
      Key: { pk: item.pk, sk: item.sk },
      UpdateExpression: `SET ${assignments.join(", ")}`,
      ConditionExpression: "gsi2pk = :legacy AND #status = :status",
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
    return "moved";
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return "changed";
    throw error;
  }
}

// ---- command line ----

const USAGE = `Usage:
  npm run backfill:coupon-keys -- --table <LoyaltyTableName> [--dry-run] [--page-size <n>] [--endpoint <url>]

Moves coupons from the old COUPONS partition of the status index to their per-status keys.
Safe to run again and to stop at any time; run until it reports moved 0 and read 0.`;

async function main(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      table: { type: "string" },
      endpoint: { type: "string" },
      "page-size": { type: "string" },
      "dry-run": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  const pageSize = values["page-size"] === undefined ? 100 : Number(values["page-size"]);
  if (values.help || values.table === undefined || !Number.isInteger(pageSize) || pageSize < 1) {
    process.stderr.write(`${USAGE}\n`);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const base = new DynamoDBClient(values.endpoint ? localDynamoDbClientConfig(values.endpoint) : {});
  const client = DynamoDBDocument.from(base);
  try {
    const report = await backfillCouponKeys({
      client,
      tableName: values.table,
      pageSize,
      dryRun: values["dry-run"] ?? false,
      progress: (sofar) => process.stderr.write(`read ${sofar.read}, moved ${sofar.moved}\n`),
    });
    process.stdout.write(`${JSON.stringify({ dryRun: values["dry-run"] ?? false, ...report })}\n`);
  } finally {
    client.destroy();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main(process.argv.slice(2));
}
