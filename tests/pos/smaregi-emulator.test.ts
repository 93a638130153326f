import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { demoCredentials } from "../../infra/local/demo-data";
import { DAY_MS, toSmaregiDateTime } from "../../shared/adapters/smaregi/time";
import { accessToken, hanako, startTestEmulator, taro } from "./support";

let pos: Awaited<ReturnType<typeof startTestEmulator>>;
let readToken: string;
let writeToken: string;
let allScopesToken: string;

beforeAll(async () => {
  pos = await startTestEmulator();
  readToken = await accessToken(pos.emulator, "pos.customers:read");
  writeToken = await accessToken(pos.emulator, "pos.customers:write");
  allScopesToken = await accessToken(
    pos.emulator,
    "pos.customers:read pos.customers:write pos.transactions:read",
  );
});

afterAll(async () => {
  await pos.emulator.close();
});

beforeEach(() => {
  pos.reset();
});

const api = (path: string) => `${pos.emulator.url}/${demoCredentials.smaregiContractId}/pos${path}`;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const problemShape = (status: number) => ({
  type: "about:blank",
  title: expect.any(String),
  status,
  detail: expect.any(String),
});

function tokenRequest(options: { user?: string; secret?: string; body?: string; contractId?: string }) {
  const user = options.user ?? demoCredentials.smaregiClientId;
  const secret = options.secret ?? demoCredentials.smaregiClientSecret;
  return fetch(`${pos.emulator.url}/app/${options.contractId ?? demoCredentials.smaregiContractId}/token`, {
    method: "POST",
    headers: {
      authorization: `Basic ${Buffer.from(`${user}:${secret}`).toString("base64")}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: options.body ?? "grant_type=client_credentials&scope=pos.customers:read",
  });
}

describe("token endpoint", () => {
  it("issues a bearer token with the requested scopes", async () => {
    const response = await tokenRequest({
      body: "grant_type=client_credentials&scope=pos.customers:read%20pos.transactions:read",
    });

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      access_token: expect.any(String),
      token_type: "Bearer",
      expires_in: 3600,
      scope: "pos.customers:read pos.transactions:read",
    });
  });

  it.each([
    ["a wrong secret", { secret: "nope" }],
    ["another contract", { contractId: "sb_other000" }],
  ])("refuses %s with invalid_client", async (_, options) => {
    const response = await tokenRequest(options);

    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: "invalid_client", error_description: expect.any(String) });
  });

  it("refuses other grant types and unknown scopes", async () => {
    const grant = await tokenRequest({ body: "grant_type=password" });
    const scope = await tokenRequest({ body: "grant_type=client_credentials&scope=pos.everything" });

    expect(grant.status).toBe(400);
    expect(await grant.json()).toMatchObject({ error: "unsupported_grant_type" });
    expect(scope.status).toBe(400);
    expect(await scope.json()).toMatchObject({ error: "invalid_scope" });
  });
});

describe("authorisation", () => {
  it("requires a bearer token", async () => {
    const response = await fetch(api("/customers"));

    expect(response.status).toBe(401);
    expect(await response.json()).toEqual(problemShape(401));
  });

  it("refuses an expired token", async () => {
    pos.clock.offsetMs = 3601 * 1000;

    const response = await fetch(api("/customers"), { headers: bearer(readToken) });

    expect(response.status).toBe(401);
  });

  it("refuses a token on another contract's path", async () => {
    const response = await fetch(`${pos.emulator.url}/sb_other000/pos/customers`, {
      headers: bearer(readToken),
    });

    expect(response.status).toBe(401);
  });

  it("enforces scopes per endpoint", async () => {
    const write = await fetch(api(`/customers/${taro.customerId}/point/add`), {
      method: "POST",
      headers: { ...bearer(readToken), "content-type": "application/json" },
      body: JSON.stringify({ point: "-100" }),
    });
    const read = await fetch(api("/customers"), { headers: bearer(writeToken) });
    const history = await fetch(api("/transactions"), { headers: bearer(readToken) });

    expect(write.status).toBe(403);
    expect(await write.json()).toEqual(problemShape(403));
    expect(read.status).toBe(403);
    expect(history.status).toBe(403);
    expect(pos.emulator.store.getPoints(taro.customerId)?.point).toBe(taro.points);
  });
});

describe("customers", () => {
  it("answers lists as bare arrays with every number as a string", async () => {
    const customers = await fetch(api(`/customers?customer_code=${taro.memberNumber}`), {
      headers: bearer(readToken),
    });
    const points = await fetch(api(`/customers/point?customer_id=${taro.customerId}`), {
      headers: bearer(readToken),
    });

    expect(await customers.json()).toEqual([
      expect.objectContaining({
        customerId: "1001",
        customerCode: taro.memberNumber,
        status: "0",
        rank: "Gold",
      }),
    ]);
    expect(await points.json()).toEqual([
      {
        customerId: "1001",
        point: "1250",
        mile: "0",
        pointExpireDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
        insDateTime: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+09:00$/),
        updDateTime: expect.stringMatching(/\+09:00$/),
      },
    ]);
  });

  it("pages with limit and page and validates them", async () => {
    const second = await fetch(api("/customers?limit=1&page=2&sort=customerId"), {
      headers: bearer(readToken),
    });
    const tooMany = await fetch(api("/customers?limit=1001"), { headers: bearer(readToken) });

    expect(await second.json()).toEqual([expect.objectContaining({ customerId: hanako.customerId })]);
    expect(tooMany.status).toBe(400);
    expect(await tooMany.json()).toEqual(problemShape(400));
  });

  it("answers 404 with a problem body for unknown ids", async () => {
    const customer = await fetch(api("/customers/999999"), { headers: bearer(readToken) });
    const change = await fetch(api("/customers/999999/point/add"), {
      method: "POST",
      headers: { ...bearer(writeToken), "content-type": "application/json" },
      body: JSON.stringify({ point: "100" }),
    });

    expect(customer.status).toBe(404);
    expect(await customer.json()).toEqual(problemShape(404));
    expect(change.status).toBe(404);
  });

  it("creates customers with a unique member code and validates required names", async () => {
    const create = (body: unknown) =>
      fetch(api("/customers"), {
        method: "POST",
        headers: { ...bearer(writeToken), "content-type": "application/json" },
        body: JSON.stringify(body),
      });

    const created = await create({ customerCode: "NEW-1", lastName: "Ito", firstName: "Mai" });
    const duplicate = await create({ customerCode: "NEW-1", lastName: "Ito", firstName: "Mai" });
    const nameless = await create({ customerCode: "NEW-2" });

    expect(created.status).toBe(200);
    expect(await created.json()).toMatchObject({
      customerId: expect.stringMatching(/^\d+$/),
      customerCode: "NEW-1",
    });
    expect(duplicate.status).toBe(400);
    expect(nameless.status).toBe(400);
    expect(await nameless.json()).toEqual(problemShape(400));
  });
});

describe("points", () => {
  it("lists a member never given points without point or mile, as the spec allows", async () => {
    // Prepare
    const created = await fetch(api("/customers"), {
      method: "POST",
      headers: { ...bearer(writeToken), "content-type": "application/json" },
      body: JSON.stringify({ customerCode: "NEW-3", lastName: "Ito", firstName: "Mai" }),
    });
    const { customerId } = (await created.json()) as { customerId: string };

    // Act
    const rows = await fetch(api(`/customers/point?customer_id=${customerId}`), {
      headers: bearer(readToken),
    });

    // Assess
    const [row] = (await rows.json()) as Array<Record<string, unknown>>;
    expect(row).toMatchObject({ customerId, pointExpireDate: null });
    expect(row).not.toHaveProperty("point");
    expect(row).not.toHaveProperty("mile");
  });

  const addPoints = (customerId: string, point: unknown) =>
    fetch(api(`/customers/${customerId}/point/add`), {
      method: "POST",
      headers: { ...bearer(writeToken), "content-type": "application/json" },
      body: JSON.stringify({ point }),
    });

  it("adds relative amounts and lists the transactions it created", async () => {
    const response = await addPoints(taro.customerId, "-500");

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      customerId: taro.customerId,
      point: "750",
      mile: "0",
      pointExpireDate: expect.any(String),
      updDateTime: expect.any(String),
      transactionHeadIds: [expect.stringMatching(/^\d+$/)],
    });
  });

  it("refuses a result below zero with a Japanese detail and changes nothing", async () => {
    const history = pos.emulator.store.listTransactions({ customerId: hanako.customerId });

    const response = await addPoints(hanako.customerId, "-1");

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      ...problemShape(400),
      detail: expect.stringMatching(/ポイント/),
    });
    expect(pos.emulator.store.getPoints(hanako.customerId)?.point).toBe(0);
    expect(pos.emulator.store.listTransactions({ customerId: hanako.customerId })).toEqual(history);
  });

  it("takes amounts as strings only", async () => {
    expect((await addPoints(taro.customerId, -500)).status).toBe(400);
    expect((await addPoints(taro.customerId, "0")).status).toBe(400);
  });

  it("sets an absolute balance with PATCH", async () => {
    const response = await fetch(api(`/customers/${hanako.customerId}/point`), {
      method: "PATCH",
      headers: { ...bearer(writeToken), "content-type": "application/json" },
      body: JSON.stringify({ point: "300", pointExpireDate: "2099-12-31" }),
    });

    expect(await response.json()).toMatchObject({ point: "300", pointExpireDate: "2099-12-31" });
  });
});

describe("transactions", () => {
  it("filters by customer code and division, newest first, with string numbers", async () => {
    const from = toSmaregiDateTime(new Date(Date.now() - 31 * DAY_MS));
    const query = new URLSearchParams({
      customer_code: taro.memberNumber,
      transaction_head_division: "1",
      "transaction_date_time-from": from,
      "transaction_date_time-to": toSmaregiDateTime(new Date()),
      sort: "transactionDateTime:desc",
    });

    const response = await fetch(api(`/transactions?${query}`), { headers: bearer(allScopesToken) });

    const rows = (await response.json()) as Array<Record<string, unknown>>;
    expect(rows.map((row) => [row.transactionHeadDivision, row.newPoint, row.spendPoint, row.total])).toEqual(
      [
        ["1", "150", "0", "15000"],
        ["1", "400", "0", "40000"],
      ],
    );
    expect(rows[0]).toMatchObject({
      transactionHeadId: expect.stringMatching(/^\d+$/),
      transactionDateTime: expect.stringMatching(/\+09:00$/),
      customerId: taro.customerId,
      customerCode: taro.memberNumber,
      storeId: "1",
    });
  });

  it("filters by store", async () => {
    const query = new URLSearchParams({
      store_id: "2",
      "transaction_date_time-from": toSmaregiDateTime(new Date(Date.now() - 30 * DAY_MS)),
      "transaction_date_time-to": toSmaregiDateTime(new Date()),
    });

    const response = await fetch(api(`/transactions?${query}`), { headers: bearer(allScopesToken) });

    const rows = (await response.json()) as Array<Record<string, unknown>>;
    expect(rows.map((row) => [row.storeId, row.customerId, row.total])).toEqual([
      ["2", taro.customerId, "40000"],
      ["2", null, "5000"],
    ]);
  });

  it("ignores customer_id, which Smaregi does not document, and answers every member's rows", async () => {
    const query = new URLSearchParams({
      customer_id: taro.customerId,
      "transaction_date_time-from": toSmaregiDateTime(new Date(Date.now() - 30 * DAY_MS)),
      "transaction_date_time-to": toSmaregiDateTime(new Date()),
    });

    const response = await fetch(api(`/transactions?${query}`), { headers: bearer(allScopesToken) });

    const rows = (await response.json()) as Array<Record<string, unknown>>;
    // Both members' rows, and walk-in sales with no customer at all.
    expect(new Set(rows.map((row) => row.customerId))).toEqual(
      new Set([taro.customerId, hanako.customerId, null]),
    );
  });

  it.each([
    ["no range", {}],
    ["only a start", { "transaction_date_time-from": toSmaregiDateTime(new Date(Date.now() - DAY_MS)) }],
    ["only an end", { "transaction_date_time-to": toSmaregiDateTime(new Date()) }],
  ])("requires a date range (%s)", async (_case, range) => {
    const query = new URLSearchParams({ customer_code: taro.memberNumber, ...range });

    const response = await fetch(api(`/transactions?${query}`), { headers: bearer(allScopesToken) });

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      ...problemShape(400),
      detail: expect.stringMatching(/31日以内/),
    });
  });

  it("refuses date ranges wider than 31 days", async () => {
    const query = new URLSearchParams({
      "transaction_date_time-from": toSmaregiDateTime(new Date(Date.now() - 32 * DAY_MS)),
      "transaction_date_time-to": toSmaregiDateTime(new Date()),
    });

    const response = await fetch(api(`/transactions?${query}`), { headers: bearer(allScopesToken) });

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(problemShape(400));
  });
});

describe("control API", () => {
  it("refuses a fault or latency for an operation it does not have, listing the ones it has", async () => {
    const put = (path: string, body: unknown) =>
      fetch(`${pos.emulator.url}/_control/${path}`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });

    const fault = await put("faults", [{ operation: "addPoint", kind: "timeout" }]);
    const latency = await put("latency", { addPoint: 100 });

    expect(fault.status).toBe(400);
    expect(((await fault.json()) as { error: string }).error).toMatch(/"addPoint".*addPoints/);
    expect(latency.status).toBe(400);
    expect(() => pos.emulator.control.setFaults([{ operation: "listTransaction", kind: "http503" }])).toThrow(
      /listTransactions/,
    );
    expect((await put("faults", [{ operation: "*", kind: "http500", count: 1 }])).status).toBe(200);
  });

  it("throttles with 429, Retry-After and a problem body", async () => {
    await fetch(`${pos.emulator.url}/_control/faults`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([{ operation: "listCustomers", kind: "throttle", count: 1 }]),
    });

    const throttled = await fetch(api("/customers"), { headers: bearer(readToken) });
    const next = await fetch(api("/customers"), { headers: bearer(readToken) });

    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toBe("1");
    expect(await throttled.json()).toEqual(problemShape(429));
    expect(next.status).toBe(200);
  });

  it("switches to the seed latency profile", async () => {
    const response = await fetch(`${pos.emulator.url}/_control/latency`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ profile: "seed" }),
    });

    expect(await response.json()).toMatchObject({
      latency: { token: 100, listCustomers: 250, getPoints: 250, listTransactions: 250, addPoints: 600 },
    });
  });

  it("restores the demo data on reset", async () => {
    pos.emulator.store.setPoints(taro.customerId, { point: 1 });

    const response = await fetch(`${pos.emulator.url}/_control/reset`, { method: "POST" });

    expect(response.status).toBe(200);
    expect(pos.emulator.store.getPoints(taro.customerId)?.point).toBe(taro.points);
  });
});
