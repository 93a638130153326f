import { createServer } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  PointChangeOutcomeUnknown,
  SmaregiPointsLedger,
  SmaregiPointsReader,
  smaregiTokenSource,
} from "../../shared/adapters/smaregi";
import { DAY_MS, MAX_HISTORY_DAYS, toJapanDate } from "../../shared/adapters/smaregi/time";
import { environmentSchema } from "../../shared/config";
import {
  NotRegistered,
  PosDeclined,
  PosOutcomeUnknown,
  PosTimeout,
  PosUnavailable,
} from "../../shared/errors";
import { type Member, type MemberDirectory, pointDivisions } from "../../shared/pos";
import {
  accessToken,
  calls,
  hanako,
  jiroMemberNumber,
  ledgerFor,
  ledgerOptionsFor,
  startTestEmulator,
  taro,
} from "./support";

let pos: Awaited<ReturnType<typeof startTestEmulator>>;

beforeAll(async () => {
  pos = await startTestEmulator();
});

afterAll(async () => {
  await pos.emulator.close();
});

beforeEach(() => {
  pos.reset();
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

describe("access tokens", () => {
  it("is one token for a reader and a ledger that share their token source, as one container's clients do", async () => {
    // Prepare: the ledger's options, with one token source for both clients.
    const options = ledgerOptionsFor(pos.emulator);
    const shared = { ...options, tokens: smaregiTokenSource(options) };
    const reader = new SmaregiPointsReader(shared);
    const ledger = new SmaregiPointsLedger(shared);

    // Act
    await reader.getBalance(taro.customerId);
    await ledger.addPoints(taro.customerId, 10);
    await reader.listPointTransactions(taro.customerId);

    // Assess
    expect(calls(pos.emulator).token).toBe(1);
  });

  it("fetches one token for many concurrent and later requests", async () => {
    // Prepare
    const ledger = ledgerFor(pos.emulator);

    // Act
    await Promise.all([1, 2, 3, 4, 5].map(() => ledger.getBalance(taro.customerId)));
    await ledger.findMember(taro.memberNumber);
    await ledger.listPointTransactions(taro.customerId);

    // Assess
    expect(calls(pos.emulator)).toMatchObject({
      token: 1,
      getPoints: 5,
      listCustomers: 1,
      listTransactions: 1,
    });
  });

  it("refreshes the token a minute before it expires", async () => {
    // Prepare
    let now = new Date("2025-04-01T00:00:00Z");
    const ledger = ledgerFor(pos.emulator, { now: () => now });
    await ledger.getBalance(taro.customerId);

    // Act
    now = new Date(now.getTime() + 3500 * 1000);
    await ledger.getBalance(taro.customerId);
    const beforeMargin = calls(pos.emulator).token;
    now = new Date(now.getTime() + 45 * 1000);
    await ledger.getBalance(taro.customerId);

    // Assess
    expect(beforeMargin).toBe(1);
    expect(calls(pos.emulator).token).toBe(2);
  });

  it("drops a token the POS no longer accepts and retries the read once", async () => {
    // Prepare
    const ledger = ledgerFor(pos.emulator);
    await ledger.getBalance(taro.customerId);
    pos.clock.offsetMs = 3601 * 1000;

    // Act
    const balance = await ledger.getBalance(taro.customerId);

    // Assess
    expect(balance.points).toBe(taro.points);
    expect(calls(pos.emulator)).toMatchObject({ token: 2, getPoints: 3 });
  });

  it("reports wrong credentials as unavailable, without retrying them", async () => {
    const ledger = ledgerFor(pos.emulator, {
      credentials: async () => ({ clientId: "someone-else", clientSecret: "wrong" }),
    });

    await expect(ledger.getBalance(taro.customerId)).rejects.toBeInstanceOf(PosUnavailable);
    expect(calls(pos.emulator)).toEqual({ token: 1 });
  });

  it("cannot change points with a token lacking the write scope", async () => {
    const ledger = ledgerFor(pos.emulator, { scopes: ["pos.customers:read"] });

    await expect(ledger.addPoints(taro.customerId, -100)).rejects.toBeInstanceOf(PosUnavailable);
    await expect(ledger.listPointTransactions(taro.customerId)).rejects.toBeInstanceOf(PosUnavailable);
    expect((await ledger.getBalance(taro.customerId)).points).toBe(taro.points);
  });
});

describe("members", () => {
  it("finds a member by member code", async () => {
    const member = await ledgerFor(pos.emulator).findMember(taro.memberNumber);

    expect(member).toEqual({
      customerId: taro.customerId,
      memberNumber: taro.memberNumber,
      customerCode: taro.memberNumber,
      rank: "Gold",
      firstName: "Taro",
      lastName: "Yamada",
      status: "active",
    });
  });

  it("finds a member by member number (customerNo) when the shop keeps it there", async () => {
    // Prepare: a customer whose code and number differ
    const token = await accessToken(pos.emulator, "pos.customers:write");
    const created = await fetch(`${pos.emulator.url}/${pos.emulator.contractId}/pos/customers`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({
        customerCode: "STORE-0042",
        customerNo: "7000000000001",
        lastName: "Sato",
        firstName: "Ken",
      }),
    });
    const { customerId } = (await created.json()) as { customerId: string };

    // Act
    const byNumber = await ledgerFor(pos.emulator, { memberField: "customerNo" }).findMember("7000000000001");
    const byCode = ledgerFor(pos.emulator, { memberField: "customerCode" }).findMember("7000000000001");

    // Assess
    expect(byNumber).toMatchObject({ customerId, memberNumber: "7000000000001", lastName: "Sato" });
    await expect(byCode).rejects.toBeInstanceOf(NotRegistered);
  });

  it("says a Shopify customer without a store membership is not registered", async () => {
    await expect(ledgerFor(pos.emulator).findMember(jiroMemberNumber)).rejects.toBeInstanceOf(NotRegistered);
  });

  it("remembers members, so a second lookup does not ask the POS", async () => {
    const ledger = ledgerFor(pos.emulator);

    const first = await ledger.findMember(taro.memberNumber);
    const second = await ledger.findMember(taro.memberNumber);

    expect(second).toEqual(first);
    expect(calls(pos.emulator).listCustomers).toBe(1);
  });

  it("shares members through an injected directory", async () => {
    // Prepare
    const shared = new Map<string, Member>();
    const directory: MemberDirectory = {
      get: async (memberNumber) => shared.get(memberNumber),
      set: async (member) => {
        shared.set(member.memberNumber, member);
      },
    };
    await ledgerFor(pos.emulator, { memberDirectory: directory }).findMember(taro.memberNumber);

    // Act: another process with the same directory
    const member = await ledgerFor(pos.emulator, { memberDirectory: directory }).findMember(
      taro.memberNumber,
    );

    // Assess
    expect(member.customerId).toBe(taro.customerId);
    expect(calls(pos.emulator).listCustomers).toBe(1);
  });
});

describe("balance and history", () => {
  it("reads the balance as numbers with the expiry date", async () => {
    const balance = await ledgerFor(pos.emulator).getBalance(taro.customerId);

    expect(balance).toEqual({
      points: 1250,
      expiresOn: toJapanDate(new Date(Date.now() + 365 * DAY_MS)),
      updatedAt: expect.stringMatching(/Z$/),
    });
  });

  it("says an unknown customer id is not registered", async () => {
    const ledger = ledgerFor(pos.emulator);

    await expect(ledger.getBalance("999999")).rejects.toBeInstanceOf(NotRegistered);
    await expect(ledger.addPoints("999999", 100)).rejects.toBeInstanceOf(NotRegistered);
  });

  it("lists the last 30 days of point movements, newest first, with signed changes", async () => {
    const history = await ledgerFor(pos.emulator).listPointTransactions(taro.customerId);

    expect(history.map(({ division, points, storeId }) => ({ division, points, storeId }))).toEqual([
      { division: pointDivisions.sale, points: 150, storeId: "1" },
      { division: pointDivisions.sale, points: 400, storeId: "2" },
      { division: pointDivisions.pointsAdded, points: 500, storeId: undefined },
    ]);
    expect(Date.parse(history[0]?.at ?? "")).toBeGreaterThan(Date.now() - 4 * DAY_MS);
    // One window, one POS call.
    expect(calls(pos.emulator).listTransactions).toBe(1);
  });

  it("walks older history in windows of at most 30 days", async () => {
    const history = await ledgerFor(pos.emulator).listPointTransactions(taro.customerId, {
      since: new Date(Date.now() - 60 * DAY_MS),
    });

    expect(history.map((transaction) => transaction.points)).toEqual([150, 400, 500, 200]);
    expect(calls(pos.emulator).listTransactions).toBe(2);
  });

  it("expires lapsed points before answering and shows the expiry in the history", async () => {
    // Prepare: Taro's points lapsed yesterday
    pos.emulator.store.setPoints(taro.customerId, {
      pointExpireDate: toJapanDate(new Date(Date.now() - DAY_MS)),
    });
    const ledger = ledgerFor(pos.emulator);

    // Act
    const balance = await ledger.getBalance(taro.customerId);
    const expired = await ledger.listPointTransactions(taro.customerId, {
      divisions: [pointDivisions.pointsExpired],
    });

    // Assess
    expect(balance).toMatchObject({ points: 0, expiresOn: null });
    expect(expired).toEqual([expect.objectContaining({ division: "8", points: -taro.points })]);
    await expect(ledger.addPoints(taro.customerId, -100)).rejects.toBeInstanceOf(PosDeclined);
  });
});

describe("point changes", () => {
  it("subtracts and adds points and records transactions of division 7 and 6", async () => {
    // Prepare
    const ledger = ledgerFor(pos.emulator);

    // Act
    const deduction = await ledger.addPoints(taro.customerId, -500);
    const refund = await ledger.addPoints(taro.customerId, 200);

    // Assess
    expect(deduction).toEqual({
      customerId: taro.customerId,
      balance: 750,
      expiresOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      transactionHeadIds: [expect.stringMatching(/^\d+$/)],
    });
    expect(refund.balance).toBe(950);
    expect(Number(refund.transactionHeadIds[0])).toBeGreaterThan(Number(deduction.transactionHeadIds[0]));
    const history = await ledger.listPointTransactions(taro.customerId, {
      divisions: [pointDivisions.pointsAdded, pointDivisions.pointsSubtracted],
      limit: 2,
    });
    expect(history).toEqual([
      expect.objectContaining({
        transactionHeadId: refund.transactionHeadIds[0],
        division: "6",
        points: 200,
      }),
      expect.objectContaining({
        transactionHeadId: deduction.transactionHeadIds[0],
        division: "7",
        points: -500,
      }),
    ]);
    expect((await ledger.getBalance(taro.customerId)).points).toBe(950);
  });

  it("declines a subtraction below zero with the POS's reason and leaves the balance alone", async () => {
    const ledger = ledgerFor(pos.emulator);
    const before = new Date();

    const attempt = ledger.addPoints(hanako.customerId, -100);

    await expect(attempt).rejects.toBeInstanceOf(PosDeclined);
    await expect(attempt).rejects.toThrow(/ポイントが不足/);
    expect((await ledger.getBalance(hanako.customerId)).points).toBe(0);
    expect(
      await ledger.listPointTransactions(hanako.customerId, {
        divisions: [pointDivisions.pointsSubtracted],
        since: before,
      }),
    ).toEqual([]);
  });

  it("does not know the outcome when the POS never answers, and nothing was applied", async () => {
    // Prepare
    pos.emulator.control.setFaults([{ operation: "addPoints", kind: "timeout", count: 1 }]);
    const ledger = ledgerFor(pos.emulator);
    const before = Date.now();

    // Act
    const error = await ledger.addPoints(taro.customerId, -500).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(PosOutcomeUnknown);
    expect(error).toBeInstanceOf(PointChangeOutcomeUnknown);
    const unknown = error as PointChangeOutcomeUnknown;
    expect(unknown.name).toBe("PosOutcomeUnknown");
    expect(unknown).toMatchObject({ customerId: taro.customerId, delta: -500 });
    expect(unknown.attemptStartedAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(calls(pos.emulator).addPoints).toBe(1);
    expect((await ledger.getBalance(taro.customerId)).points).toBe(taro.points);
  });

  it("does not know the outcome when the POS applied the change but the answer was lost", async () => {
    // Prepare
    pos.emulator.control.setFaults([{ operation: "addPoints", kind: "commit-then-timeout", count: 1 }]);
    const ledger = ledgerFor(pos.emulator);

    // Act
    const error = await ledger.addPoints(taro.customerId, -500).catch((caught: unknown) => caught);

    // Assess: the deduction happened and reconciliation can find it
    expect(error).toBeInstanceOf(PointChangeOutcomeUnknown);
    expect(calls(pos.emulator).addPoints).toBe(1);
    expect((await ledger.getBalance(taro.customerId)).points).toBe(750);
    const since = (error as PointChangeOutcomeUnknown).attemptStartedAt;
    const found = await ledger.listPointTransactions(taro.customerId, {
      since: new Date(since.getTime() - 1000),
      divisions: [pointDivisions.pointsSubtracted],
    });
    expect(found).toEqual([expect.objectContaining({ points: -500 })]);
  });

  it.each(["http500", "http503"] as const)(
    "does not know the outcome after %s and does not retry",
    async (kind) => {
      pos.emulator.control.setFaults([{ operation: "addPoints", kind }]);

      await expect(ledgerFor(pos.emulator).addPoints(taro.customerId, -500)).rejects.toBeInstanceOf(
        PosOutcomeUnknown,
      );
      expect(calls(pos.emulator).addPoints).toBe(1);
    },
  );

  it("reports a throttled change as unavailable (not applied) and does not retry", async () => {
    pos.emulator.control.setFaults([{ operation: "addPoints", kind: "throttle" }]);
    const ledger = ledgerFor(pos.emulator);

    const attempt = ledger.addPoints(taro.customerId, -500);

    await expect(attempt).rejects.toBeInstanceOf(PosUnavailable);
    await expect(attempt).rejects.not.toBeInstanceOf(PosOutcomeUnknown);
    expect(calls(pos.emulator).addPoints).toBe(1);
    pos.emulator.control.setFaults([]);
    expect((await ledger.getBalance(taro.customerId)).points).toBe(taro.points);
  });

  it("reports a refused connection as unavailable: nothing was sent", async () => {
    const ledger = ledgerFor(pos.emulator, { apiUrl: `http://127.0.0.1:${await closedPort()}` });

    await expect(ledger.addPoints(taro.customerId, -500)).rejects.toBeInstanceOf(PosUnavailable);
  });

  it("does not know the outcome when a 200 answer cannot be read", async () => {
    const ledger = ledgerFor(pos.emulator, {
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        return String(input).endsWith("/point/add")
          ? new Response("<html>OK</html>", { status: 200 })
          : response;
      },
    });

    await expect(ledger.addPoints(taro.customerId, -500)).rejects.toBeInstanceOf(PosOutcomeUnknown);
    expect((await ledger.getBalance(taro.customerId)).points).toBe(750);
  });
});

describe("reads under faults", () => {
  it("retries a read after a 503 and succeeds", async () => {
    pos.emulator.control.setFaults([{ operation: "getPoints", kind: "http503", count: 1 }]);

    const balance = await ledgerFor(pos.emulator).getBalance(taro.customerId);

    expect(balance.points).toBe(taro.points);
    expect(calls(pos.emulator).getPoints).toBe(2);
  });

  it("waits for Retry-After when a read is throttled, then succeeds", async () => {
    pos.emulator.control.setFaults([{ operation: "listCustomers", kind: "throttle", count: 1 }]);
    const ledger = ledgerFor(pos.emulator, { readBudgetMs: 3000 });
    const started = Date.now();

    const member = await ledger.findMember(taro.memberNumber);

    expect(member.customerId).toBe(taro.customerId);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(calls(pos.emulator).listCustomers).toBe(2);
  });

  it("gives up with PosTimeout when the POS keeps not answering", async () => {
    pos.emulator.control.setFaults([{ operation: "getPoints", kind: "timeout" }]);
    const started = Date.now();

    await expect(ledgerFor(pos.emulator).getBalance(taro.customerId)).rejects.toBeInstanceOf(PosTimeout);

    expect(calls(pos.emulator).getPoints).toBeGreaterThanOrEqual(2);
    expect(calls(pos.emulator).getPoints).toBeLessThanOrEqual(3);
    // Within the read budget (2.5 x 150 ms) plus scheduling slack.
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("gives up with PosUnavailable when the POS keeps failing", async () => {
    pos.emulator.control.setFaults([{ operation: "listTransactions", kind: "http500" }]);

    await expect(ledgerFor(pos.emulator).listPointTransactions(taro.customerId)).rejects.toBeInstanceOf(
      PosUnavailable,
    );
    expect(calls(pos.emulator).listTransactions).toBe(3);
  });
});

describe("one member's history only", () => {
  /** A fetch that records the URLs sent and can rewrite them, as a server that ignores a filter would. */
  function recordingFetch(rewrite: (url: URL) => void = () => undefined) {
    const urls: URL[] = [];
    const recorded: typeof fetch = (input, init) => {
      const url = new URL(String(input));
      rewrite(url);
      urls.push(url);
      return fetch(url, init);
    };
    return { urls, fetch: recorded };
  }
  const transactionCalls = (urls: URL[]) => urls.filter((url) => url.pathname.endsWith("/pos/transactions"));

  it("asks for the member's transactions by customer code, in windows of at most 30 days", async () => {
    // Prepare
    const sent = recordingFetch();
    const ledger = ledgerFor(pos.emulator, { fetch: sent.fetch });

    // Act
    const history = await ledger.listPointTransactions(taro.customerId, {
      since: new Date(Date.now() - 100 * DAY_MS),
    });

    // Assess
    expect(history.map((transaction) => transaction.points)).toEqual([150, 400, 500, 200]);
    const windows = transactionCalls(sent.urls);
    expect(windows.length).toBe(4);
    for (const url of windows) {
      expect(url.searchParams.get("customer_code")).toBe(taro.memberNumber);
      expect(url.searchParams.has("customer_id")).toBe(false);
      const from = Date.parse(url.searchParams.get("transaction_date_time-from") ?? "");
      const to = Date.parse(url.searchParams.get("transaction_date_time-to") ?? "");
      expect(to - from).toBeLessThanOrEqual(30 * DAY_MS);
    }
    // The code came from the member's record once, not per window.
    expect(calls(pos.emulator).getCustomer).toBe(1);
  });

  it("never counts another member's subtraction as the member's, even from a server that ignores the filter", async () => {
    // Prepare: both members' points were subtracted moments ago, by the same amount
    await ledgerFor(pos.emulator).addPoints(taro.customerId, 300);
    const before = new Date(Date.now() - 1000);
    await ledgerFor(pos.emulator).addPoints(taro.customerId, -300);
    await ledgerFor(pos.emulator).addPoints(hanako.customerId, 300);
    const hanakoSubtraction = await ledgerFor(pos.emulator).addPoints(hanako.customerId, -300);
    const ignoring = recordingFetch((url) => url.searchParams.delete("customer_code"));

    // Act
    const found = await ledgerFor(pos.emulator, { fetch: ignoring.fetch }).listPointTransactions(
      taro.customerId,
      { divisions: [pointDivisions.pointsSubtracted], since: before },
    );

    // Assess: the server answered Hanako's rows too; only Taro's one subtraction is listed
    expect(found).toEqual([expect.objectContaining({ division: "7", points: -300 })]);
    expect(found[0]?.transactionHeadId).not.toBe(hanakoSubtraction.transactionHeadIds[0]);
    expect(pos.emulator.store.listTransactions({ customerId: hanako.customerId, from: before })).toHaveLength(
      2,
    );
  });

  it.each([
    ["without point", { customerId: "1001", pointExpireDate: "" }],
    ["with point null", { customerId: "1001", point: null, pointExpireDate: null }],
  ])("reads a balance row %s as 0 points", async (_case, row) => {
    const ledger = ledgerFor(pos.emulator, {
      fetch: async (input, init) =>
        new URL(String(input)).pathname.endsWith("/customers/point")
          ? Response.json([row])
          : fetch(input, init),
    });

    await expect(ledger.getBalance(taro.customerId)).resolves.toMatchObject({ points: 0, expiresOn: null });
  });

  it("reads the balance of a member never given points, whose row has no point, as 0", async () => {
    // Prepare
    const created = pos.emulator.store.createCustomer({
      customerCode: "NEW-4",
      lastName: "Ito",
      firstName: "Mai",
    });
    if (created === "duplicate-code") throw new Error("NEW-4 exists");

    // Act
    const balance = await ledgerFor(pos.emulator).getBalance(created.customerId);

    // Assess
    expect(balance).toMatchObject({ points: 0, expiresOn: null });
  });

  it("asks by the code the member lookup returned, also when the shop keeps the member number elsewhere", async () => {
    // Prepare: a member found by customerNo whose customerCode differs, with one subtraction
    const token = await accessToken(pos.emulator, "pos.customers:write");
    const created = await fetch(`${pos.emulator.url}/${pos.emulator.contractId}/pos/customers`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({
        customerCode: "STORE-0042",
        customerNo: "7000000000001",
        lastName: "Sato",
        firstName: "Ken",
      }),
    });
    const { customerId } = (await created.json()) as { customerId: string };
    pos.emulator.store.addPoints(customerId, 300);
    pos.emulator.store.addPoints(customerId, -300);
    const sent = recordingFetch();
    const ledger = ledgerFor(pos.emulator, { memberField: "customerNo", fetch: sent.fetch });

    // Act
    const member = await ledger.findMember("7000000000001");
    const history = await ledger.listPointTransactions(member.customerId, {
      divisions: [pointDivisions.pointsSubtracted],
    });

    // Assess
    expect(member.customerCode).toBe("STORE-0042");
    expect(history).toEqual([expect.objectContaining({ points: -300 })]);
    expect(transactionCalls(sent.urls).map((url) => url.searchParams.get("customer_code"))).toEqual([
      "STORE-0042",
    ]);
    expect(calls(pos.emulator).getCustomer ?? 0).toBe(0);
  });

  it("keeps the code with a member shared through a directory, so another process reads no customer", async () => {
    // Prepare: one process looked the member up; another finds it in the shared directory
    const shared = new Map<string, Member>();
    const directory: MemberDirectory = {
      get: async (memberNumber) => shared.get(memberNumber),
      set: async (member) => {
        shared.set(member.memberNumber, member);
      },
    };
    await ledgerFor(pos.emulator, { memberDirectory: directory }).findMember(taro.memberNumber);
    const other = ledgerFor(pos.emulator, { memberDirectory: directory });

    // Act
    const member = await other.findMember(taro.memberNumber);
    const history = await other.listPointTransactions(member.customerId);

    // Assess
    expect(history).toHaveLength(3);
    expect(calls(pos.emulator)).toMatchObject({ listCustomers: 1, listTransactions: 1 });
    expect(calls(pos.emulator).getCustomer ?? 0).toBe(0);
  });

  it("fails rather than answering a history cut short when the range needs more windows than one query reads", async () => {
    // Prepare
    const ledger = ledgerFor(pos.emulator);
    const since = new Date(Date.now() - (MAX_HISTORY_DAYS + 5) * DAY_MS);

    // Act
    const tooLong = ledger.listPointTransactions(taro.customerId, { since });
    const enough = ledger.listPointTransactions(taro.customerId, { since, limit: 2 });
    const longest = ledger.listPointTransactions(taro.customerId, {
      since: new Date(Date.now() - MAX_HISTORY_DAYS * DAY_MS),
    });

    // Assess: the first two transactions are found in the first window; 360 days are read whole
    await expect(tooLong).rejects.toThrow(RangeError);
    await expect(enough).resolves.toHaveLength(2);
    await expect(longest).resolves.toHaveLength(4);
  });

  it("refuses a configured customer history longer than one query reads", () => {
    const days = environmentSchema.shape.POS_HISTORY_DAYS;

    expect(days.safeParse(String(MAX_HISTORY_DAYS)).success).toBe(true);
    expect(days.safeParse(String(MAX_HISTORY_DAYS + 1)).success).toBe(false);
  });

  it("answers an empty history for a range that ends before it starts, without asking the POS", async () => {
    const history = await ledgerFor(pos.emulator).listPointTransactions(taro.customerId, {
      since: new Date(),
      until: new Date(Date.now() - DAY_MS),
    });

    expect(history).toEqual([]);
    expect(calls(pos.emulator).listTransactions ?? 0).toBe(0);
  });
});
