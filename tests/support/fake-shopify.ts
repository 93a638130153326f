import type * as z from "zod/mini";
import { ShopifyRejected, ShopifyUnavailable } from "../../shared/errors";
import type {
  CreatedDiscountCode,
  DiscountCodeSpec,
  DiscountCodeSummary,
  ShopifyAdmin,
  ShopifyCustomer,
} from "../../shared/shopify/ports";

/**
 * An in-memory Shopify Admin: discount codes (create, find, deactivate, reinstate, delete) and the
 * customers' JSON metafields, with the idempotency the adapter promises (a retried create adopts
 * the code carrying its marker; deleting what is gone succeeds). `failNext` makes the next call(s)
 * of a method throw, e.g. `ShopifyUnavailable` for an outage or `ShopifyRejected` for userErrors.
 */

type Method = keyof ShopifyAdmin;

const key = (code: string) => code.toUpperCase();

export const shopifyDown = () => new ShopifyUnavailable("Shopify answered 503");

export class FakeShopify implements ShopifyAdmin {
  readonly #discounts = new Map<string, DiscountCodeSummary>();
  readonly #customers = new Map<string, ShopifyCustomer>();
  readonly #metafields = new Map<string, unknown>();
  readonly #failures = new Map<Method, Error[]>();
  readonly #now: () => Date;
  #nextId = 1;
  /** Every call by method name, failed ones included. */
  readonly calls: Array<{ method: Method; args: unknown[] }> = [];

  constructor(options: { now?: () => Date } = {}) {
    this.#now = options.now ?? (() => new Date());
  }

  failNext(method: Method, ...errors: Error[]): this {
    this.#failures.set(method, [...(this.#failures.get(method) ?? []), ...errors]);
    return this;
  }

  withCustomer(customer: Partial<ShopifyCustomer> & { id: string }): this {
    this.#customers.set(customer.id, {
      email: "taro@example.com",
      firstName: "Taro",
      lastName: "Yamada",
      displayName: "Taro Yamada",
      locale: "ja",
      ...customer,
    });
    return this;
  }

  /** The code as Shopify holds it now, or undefined once deleted. */
  discount(code: string): DiscountCodeSummary | undefined {
    const found = this.#discounts.get(key(code));
    return found ? { ...found } : undefined;
  }

  /** A checkout redeemed the code. */
  redeem(code: string): void {
    const found = this.#discounts.get(key(code));
    if (!found) throw new Error(`no discount ${code} to redeem`);
    found.asyncUsageCount += 1;
  }

  /** Puts a code in place, as another conversion or a person in the Shopify admin would. */
  seedDiscount(summary: Partial<DiscountCodeSummary> & { code: string; title: string }): DiscountCodeSummary {
    const discount: DiscountCodeSummary = {
      discountId: `gid://shopify/DiscountCodeNode/${this.#nextId++}`,
      type: "DiscountCodeBasic",
      status: "ACTIVE",
      startsAt: this.#now().toISOString(),
      endsAt: null,
      asyncUsageCount: 0,
      usageLimit: 1,
      customerGids: [],
      appliesToAllCustomers: false,
      ...summary,
    };
    this.#discounts.set(key(discount.code), discount);
    return { ...discount };
  }

  metafield(ownerGid: string, namespace: string, metafieldKey: string): unknown {
    return this.#metafields.get(`${ownerGid}|${namespace}|${metafieldKey}`);
  }

  count(method: Method): number {
    return this.calls.filter((call) => call.method === method).length;
  }

  // ---- discount codes ----

  async createDiscountCode(spec: DiscountCodeSpec): Promise<CreatedDiscountCode> {
    this.#enter("createDiscountCode", spec);
    const existing = this.#discounts.get(key(spec.code));
    if (existing) {
      if (!existing.title.includes(spec.marker)) {
        throw new ShopifyRejected(`Code ${spec.code} is taken`, [
          { message: "Code must be unique", code: "TAKEN" },
        ]);
      }
      return { discountId: existing.discountId, code: existing.code, status: existing.status, adopted: true };
    }
    const startsAt = new Date(spec.startsAt).toISOString();
    const created = this.seedDiscount({
      code: spec.code,
      title: spec.title,
      type:
        spec.type === "free_shipping"
          ? "DiscountCodeFreeShipping"
          : spec.type === "buy_x_get_y"
            ? "DiscountCodeBxgy"
            : "DiscountCodeBasic",
      status: Date.parse(startsAt) > this.#now().getTime() ? "SCHEDULED" : "ACTIVE",
      startsAt,
      endsAt: spec.endsAt ? new Date(spec.endsAt).toISOString() : null,
      usageLimit: spec.usageLimit ?? null,
      customerGids: [spec.customerGid],
    });
    return { discountId: created.discountId, code: created.code, status: created.status, adopted: false };
  }

  async findDiscountByCode(code: string): Promise<DiscountCodeSummary | null> {
    this.#enter("findDiscountByCode", code);
    return this.discount(code) ?? null;
  }

  async deactivateDiscount(discountId: string): Promise<DiscountCodeSummary> {
    this.#enter("deactivateDiscount", discountId);
    const found = this.#byId(discountId);
    if (!found)
      throw new ShopifyRejected("Discount does not exist", [{ message: "Discount does not exist" }]);
    found.status = "EXPIRED";
    found.endsAt = this.#now().toISOString();
    return { ...found };
  }

  async reinstateDiscount(
    discount: DiscountCodeSummary,
    planned: { startsAt: string; endsAt: string },
  ): Promise<DiscountCodeSummary> {
    this.#enter("reinstateDiscount", discount, planned);
    const found = this.#byId(discount.discountId);
    if (!found)
      throw new ShopifyRejected("Discount does not exist", [{ message: "Discount does not exist" }]);
    found.startsAt = planned.startsAt;
    found.endsAt = planned.endsAt;
    found.status = Date.parse(planned.startsAt) > this.#now().getTime() ? "SCHEDULED" : "ACTIVE";
    return { ...found };
  }

  async deleteDiscount(discountId: string): Promise<void> {
    this.#enter("deleteDiscount", discountId);
    const found = this.#byId(discountId);
    if (found) this.#discounts.delete(key(found.code));
  }

  async deleteDiscountByCode(code: string, marker: string): Promise<boolean> {
    this.#enter("deleteDiscountByCode", code, marker);
    const found = this.#discounts.get(key(code));
    if (!found?.title.includes(marker)) return false;
    this.#discounts.delete(key(code));
    return true;
  }

  async deactivateDiscountByCode(code: string, marker: string): Promise<string | undefined> {
    this.#enter("deactivateDiscountByCode", code, marker);
    const found = this.#discounts.get(key(code));
    if (!found?.title.includes(marker)) return undefined;
    if (found.status !== "EXPIRED") {
      found.status = "EXPIRED";
      found.endsAt = this.#now().toISOString();
    }
    return found.discountId;
  }

  // ---- customers ----

  async getCustomer(customerGid: string): Promise<ShopifyCustomer | null> {
    this.#enter("getCustomer", customerGid);
    return this.#customers.get(customerGid) ?? null;
  }

  async readJsonMetafield<T>(
    ownerGid: string,
    namespace: string,
    metafieldKey: string,
    schema: z.ZodMiniType<T>,
  ): Promise<T | null> {
    this.#enter("readJsonMetafield", ownerGid, namespace, metafieldKey);
    const value = this.metafield(ownerGid, namespace, metafieldKey);
    return value === undefined ? null : schema.parse(value);
  }

  async updateJsonMetafield<T>(
    ownerGid: string,
    namespace: string,
    metafieldKey: string,
    update: (current: T | null) => T,
    schema: z.ZodMiniType<T>,
  ): Promise<T> {
    this.#enter("updateJsonMetafield", ownerGid, namespace, metafieldKey);
    const stored = this.metafield(ownerGid, namespace, metafieldKey);
    const next = schema.parse(update(stored === undefined ? null : schema.parse(stored)));
    this.#metafields.set(`${ownerGid}|${namespace}|${metafieldKey}`, structuredClone(next));
    return next;
  }

  #byId(discountId: string) {
    return [...this.#discounts.values()].find((discount) => discount.discountId === discountId);
  }

  #enter(method: Method, ...args: unknown[]) {
    this.calls.push({ method, args });
    const error = this.#failures.get(method)?.shift();
    if (error) throw error;
  }
}
