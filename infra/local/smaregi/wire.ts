import { toSmaregiDateTime } from "../../../shared/adapters/smaregi/time";
import type { CustomerRecord, PointAccount, TransactionRecord } from "./store";

/**
 * Smaregi's wire format: camelCase fields, every number a JSON string, timestamps in Japan time,
 * lists as bare arrays, errors as problem details.
 */

export type WireRow = Record<string, string | null>;

export function customerToWire(customer: CustomerRecord): WireRow {
  return {
    ...customer,
    insDateTime: toSmaregiDateTime(customer.insDateTime),
    updDateTime: toSmaregiDateTime(customer.updDateTime),
  };
}

export function pointsToWire(account: PointAccount): WireRow {
  return {
    customerId: account.customerId,
    ...(account.pointsEverSet ? { point: String(account.point), mile: String(account.mile) } : {}),
    pointExpireDate: account.pointExpireDate,
    insDateTime: toSmaregiDateTime(account.insDateTime),
    updDateTime: toSmaregiDateTime(account.updDateTime),
  };
}

/**
 * Field names are those of the real transaction head (取引); which of them a point-only
 * transaction (division 6/7/8) fills is assumed: the change is carried in `newPoint` (given)
 * or `spendPoint` (taken), `point` is the balance before and `totalPoint` the balance after.
 */
export function transactionToWire(transaction: TransactionRecord): WireRow {
  return {
    transactionHeadId: transaction.transactionHeadId,
    transactionDateTime: toSmaregiDateTime(transaction.transactionDateTime),
    transactionHeadDivision: transaction.transactionHeadDivision,
    cancelDivision: "0",
    subtotal: String(transaction.total),
    total: String(transaction.total),
    newPoint: String(transaction.newPoint),
    spendPoint: String(transaction.spendPoint),
    point: String(transaction.point),
    totalPoint: String(transaction.totalPoint),
    storeId: transaction.storeId,
    customerId: transaction.customerId,
    customerCode: transaction.customerCode,
    updDateTime: toSmaregiDateTime(transaction.updDateTime),
  };
}

export function problem(status: number, title: string, detail: string, headers?: Record<string, string>) {
  return new Response(JSON.stringify({ type: "about:blank", title, status, detail }), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

export const badRequest = (detail: string) => problem(400, "Bad Request", detail);
export const notFound = (detail = "指定されたリソースが見つかりません。") =>
  problem(404, "Not Found", detail);

/** The list parameters every Smaregi list endpoint shares: `limit`, `page`, `sort`, `fields`. */
export interface ListParameters {
  limit: number;
  page: number;
  sort: Array<{ field: string; descending: boolean }>;
  fields: string[] | undefined;
}

export function parseListParameters(
  query: Record<string, string | undefined>,
  sortable: readonly string[],
): ListParameters | string {
  const limit = query.limit === undefined ? 100 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    return "limit は 1 以上 1000 以下で指定してください。";
  const page = query.page === undefined ? 1 : Number(query.page);
  if (!Number.isInteger(page) || page < 1) return "page は 1 以上で指定してください。";
  const sort: ListParameters["sort"] = [];
  for (const part of (query.sort ?? "").split(",").filter(Boolean)) {
    const [field = "", direction] = part.split(":");
    if (
      !sortable.includes(field) ||
      (direction !== undefined && direction !== "desc" && direction !== "asc")
    ) {
      return `sort に指定できない項目です: ${part}`;
    }
    sort.push({ field, descending: direction === "desc" });
  }
  const fields = query.fields?.split(",").filter(Boolean);
  return { limit, page, sort, fields };
}

/** Sorts, pages and projects rows as a Smaregi list endpoint does. */
export function listResponse(rows: WireRow[], parameters: ListParameters): WireRow[] {
  const sorted = [...rows].sort((a, b) => {
    for (const { field, descending } of parameters.sort) {
      const order = compareWire(a[field] ?? null, b[field] ?? null);
      if (order !== 0) return descending ? -order : order;
    }
    return 0;
  });
  const start = (parameters.page - 1) * parameters.limit;
  const page = sorted.slice(start, start + parameters.limit);
  const { fields } = parameters;
  if (!fields) return page;
  return page.map((row) =>
    Object.fromEntries(fields.filter((field) => field in row).map((f) => [f, row[f] ?? null])),
  );
}

/** Numeric strings compare as numbers; timestamps share one offset, so they compare as text. */
function compareWire(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (/^-?\d+$/.test(a) && /^-?\d+$/.test(b)) return Number(a) - Number(b);
  return a < b ? -1 : 1;
}
