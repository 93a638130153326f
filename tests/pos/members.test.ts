import { describe, expect, it } from "vitest";
import { InvalidRequest } from "../../shared/errors";
import { InMemoryMemberDirectory, type Member, memberNumberFromCustomerGid } from "../../shared/pos";

const member = (memberNumber: string): Member => ({
  customerId: `c-${memberNumber}`,
  memberNumber,
  rank: null,
  firstName: "Taro",
  lastName: "Yamada",
  status: "active",
});

describe("memberNumberFromCustomerGid", () => {
  it("takes the numeric id of a Shopify customer gid", () => {
    expect(memberNumberFromCustomerGid("gid://shopify/Customer/8840734670934")).toBe("8840734670934");
  });

  it.each([
    "8840734670934",
    "gid://shopify/Order/8840734670934",
    "gid://shopify/Customer/",
    "gid://shopify/Customer/88407x",
    "gid://shopify/Customer/123456789012345678901",
    " gid://shopify/Customer/1",
  ])("rejects %j", (gid) => {
    expect(() => memberNumberFromCustomerGid(gid)).toThrow(InvalidRequest);
  });
});

describe("InMemoryMemberDirectory", () => {
  it("forgets members after the time to live", async () => {
    let now = 0;
    const directory = new InMemoryMemberDirectory({ ttlMs: 1000, now: () => now });
    await directory.set(member("1"));

    now = 999;
    const fresh = await directory.get("1");
    now = 1000;
    const stale = await directory.get("1");

    expect(fresh?.customerId).toBe("c-1");
    expect(stale).toBeUndefined();
  });

  it("keeps at most maxEntries, dropping the least recently used", async () => {
    const directory = new InMemoryMemberDirectory({ maxEntries: 2 });
    await directory.set(member("1"));
    await directory.set(member("2"));
    await directory.get("1");

    await directory.set(member("3"));

    expect(await directory.get("1")).toBeDefined();
    expect(await directory.get("2")).toBeUndefined();
    expect(await directory.get("3")).toBeDefined();
  });
});
