/**
 * The service's DynamoDB tables as plain data: the CDK stack and the local stack both read these
 * definitions, so a key or index exists in one exactly when it exists in the other.
 */
import type { CreateTableCommandInput } from "@aws-sdk/client-dynamodb";

export type TableLogicalName = "loyalty" | "audit";

export interface KeyAttribute {
  readonly name: string;
  readonly type: "S" | "N";
}

export interface GlobalIndexDefinition {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
}

export interface TableDefinition {
  readonly logicalName: TableLogicalName;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
  readonly globalIndexes: readonly GlobalIndexDefinition[];
  /** Attribute holding an expiry in epoch seconds, if the table expires items. */
  readonly timeToLiveAttribute?: string;
  readonly billingMode: "PAY_PER_REQUEST";
  /** A stream of new items, for readers that forward what is written (see the audit table). */
  readonly stream?: "NEW_IMAGE";
}

/**
 * The index names as plain constants, which the table's definition below reads: a bundle that
 * names an index but never reads the definition leaves the definition out (an object built from
 * another object's properties is kept, as reading a property might run a getter).
 */
const BY_CUSTOMER = "byCustomer";
const BY_STATUS = "byStatus";
const BY_ACTIVITY = "byActivity";

export const loyaltyIndexes = {
  /** `gsi1pk = CUST#<customerId>`: a customer's conversions and coupons, newest first. */
  byCustomer: BY_CUSTOMER,
  /**
   * `gsi2pk = CONVSTATUS#<status>`, `CANCELSTATUS#<status>`, `ADJSTATUS#<status>`, `COUPONS#<status>`
   * or `REWARDS`: listings, newest first, each partition holding exactly what one listing shows.
   */
  byStatus: BY_STATUS,
  /**
   * Coupons only, two partitions: `gsi3pk = COUPONS#active`, `gsi3sk = <expiresAt>` for the coupons
   * in byStatus's `COUPONS#active`, so those that ran out are a key range (`gsi3sk <= now`) for the
   * expiry sweep and the expired listing; and `gsi3pk = COUPONS#others`, `gsi3sk = <gsi2sk>` for
   * every other coupon, newest first, so all coupons are two partitions to merge.
   */
  byActivity: BY_ACTIVITY,
} as const;

/** Conversions, coupons, idempotency keys, per-customer leases and daily point totals. */
export const loyaltyTable: TableDefinition = {
  logicalName: "loyalty",
  partitionKey: { name: "pk", type: "S" },
  sortKey: { name: "sk", type: "S" },
  globalIndexes: [
    {
      indexName: BY_CUSTOMER,
      partitionKey: { name: "gsi1pk", type: "S" },
      sortKey: { name: "gsi1sk", type: "S" },
    },
    {
      indexName: BY_STATUS,
      partitionKey: { name: "gsi2pk", type: "S" },
      sortKey: { name: "gsi2sk", type: "S" },
    },
    // Added after the first two: CloudFormation adds at most one index per deployment.
    {
      indexName: BY_ACTIVITY,
      partitionKey: { name: "gsi3pk", type: "S" },
      sortKey: { name: "gsi3sk", type: "S" },
    },
  ],
  timeToLiveAttribute: "ttl",
  billingMode: "PAY_PER_REQUEST",
};

/**
 * Append-only audit events: `pk` is the subject (`CONV#<id>`, `COUPON#<CODE>`, `CUST#<id>`), `sk` is
 * `<ISO time>#<event id>`. Writers only ever put new items, so the API can be granted
 * PutItem/GetItem/Query on it and nothing that changes or deletes history.
 */
export const auditTable: TableDefinition = {
  logicalName: "audit",
  partitionKey: { name: "pk", type: "S" },
  sortKey: { name: "sk", type: "S" },
  globalIndexes: [],
  billingMode: "PAY_PER_REQUEST",
  // Custom rewards' `loyalty.coupon.*` events are written here first (a transactional outbox);
  // in AWS the stream carries them to the coupon event bus.
  stream: "NEW_IMAGE",
};

export const tableDefinitions: readonly TableDefinition[] = [loyaltyTable, auditTable];

/** Physical table names; deployments take them from config. */
export type TableNames = Readonly<Record<TableLogicalName, string>>;

/** Names used by the local stack (`npm start`). */
export const localTableNames: TableNames = {
  loyalty: "loyalty-local",
  audit: "loyalty-audit-local",
};

/** The CreateTable request for a definition; TTL is a separate call (see the local stack). */
export function toCreateTableInput(definition: TableDefinition, tableName: string): CreateTableCommandInput {
  const keyAttributes = [
    definition.partitionKey,
    definition.sortKey,
    ...definition.globalIndexes.flatMap((index) => [index.partitionKey, index.sortKey]),
  ];
  const attributeDefinitions = [...new Map(keyAttributes.map((key) => [key.name, key])).values()];
  return {
    TableName: tableName,
    BillingMode: definition.billingMode,
    AttributeDefinitions: attributeDefinitions.map((key) => ({
      AttributeName: key.name,
      AttributeType: key.type,
    })),
    KeySchema: [
      { AttributeName: definition.partitionKey.name, KeyType: "HASH" },
      { AttributeName: definition.sortKey.name, KeyType: "RANGE" },
    ],
    ...(definition.globalIndexes.length > 0
      ? {
          GlobalSecondaryIndexes: definition.globalIndexes.map((index) => ({
            IndexName: index.indexName,
            KeySchema: [
              { AttributeName: index.partitionKey.name, KeyType: "HASH" },
              { AttributeName: index.sortKey.name, KeyType: "RANGE" },
            ],
            Projection: { ProjectionType: "ALL" },
          })),
        }
      : {}),
    ...(definition.stream
      ? { StreamSpecification: { StreamEnabled: true, StreamViewType: definition.stream } }
      : {}),
  };
}
