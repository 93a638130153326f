import { createHash } from "node:crypto";
import { type DemoCustomer, demoCustomerGid, demoCustomers } from "../demo-data";
import {
  type DiscountCodeInput,
  type DiscountKind,
  type DiscountUserError,
  type NewDiscount,
  validateDiscountInput,
} from "./discount-input";
import { toWholeSeconds } from "./format";

/**
 * The emulated shop's data: customers, code discounts, customer metafields and the orders placed
 * through the control API. Everything is in memory; `reset()` restores the demo data.
 */

export interface CustomerRecord {
  id: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  locale: string;
  createdAt: Date;
  updatedAt: Date;
}

export type DiscountStatus = "ACTIVE" | "EXPIRED" | "SCHEDULED";

export interface DiscountRecord extends NewDiscount {
  id: string;
  redeemCodeId: string;
  /** When each order redeemed the code; the real count, which Shopify enforces usage limits on. */
  redeemedAt: Date[];
  /** Customers who placed an order with the code, for `appliesOncePerCustomer`. */
  usedBy: string[];
  createdAt: Date;
  updatedAt: Date;
}

export interface MetafieldRecord {
  id: string;
  ownerId: string;
  /** Stored expanded: `$app:loyalty` becomes `app--{clientId}--loyalty`. */
  namespace: string;
  key: string;
  type: string;
  value: string;
  /** Bumped on every write, so the digest changes even when a value is written back. */
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface MetafieldsSetInput {
  ownerId: string;
  namespace?: string | null;
  key: string;
  type?: string | null;
  value: string;
  /** `undefined`: no check; `null`: must not exist yet; string: must match the current digest. */
  compareDigest?: string | null;
}

export interface MetafieldsSetUserError {
  field: string[] | null;
  message: string;
  code: string | null;
  elementIndex: number | null;
}

export interface PlacedOrder {
  id: number;
  discount: DiscountRecord;
  customer: CustomerRecord | null;
  subtotal: number;
  discountAmount: number;
  createdAt: Date;
}

export type PlaceOrderResult =
  | { ok: true; order: PlacedOrder }
  | { ok: false; status: 404 | 409; message: string };

export interface ShopifyStoreOptions {
  clientId: string;
  currency: string;
  now: () => Date;
}

const METAFIELDS_PER_CALL = 25;
/** JSON metafields written on 2026-04 or later are capped at 128 KB (research §3). */
const JSON_METAFIELD_MAX_BYTES = 128 * 1024;
const DEFAULT_NAMESPACE = "custom";

export class ShopifyStore {
  private customers = new Map<string, CustomerRecord>();
  private discounts = new Map<string, DiscountRecord>();
  /** Lower-cased code -> discount id; deleted discounts free their code, deactivated ones do not. */
  private codes = new Map<string, string>();
  private metafields = new Map<string, MetafieldRecord>();
  private nextId = 1_000_001;
  private nextOrderNumber = 1001;
  private usageCountLagMs = 0;

  constructor(private readonly options: ShopifyStoreOptions) {
    this.reset();
  }

  get currency(): string {
    return this.options.currency;
  }

  now(): Date {
    return this.options.now();
  }

  reset(): void {
    this.usageCountLagMs = 0;
    this.customers.clear();
    this.discounts.clear();
    this.codes.clear();
    this.metafields.clear();
    const now = this.now();
    for (const demo of demoCustomers)
      this.customers.set(demoCustomerGid(demo.shopifyId), fromDemo(demo, now));
  }

  private newId(): number {
    this.nextId += 1;
    return this.nextId;
  }

  // ---- customers ----

  listCustomers(): CustomerRecord[] {
    return [...this.customers.values()];
  }

  getCustomer(id: string): CustomerRecord | undefined {
    return this.customers.get(id);
  }

  createCustomer(input: {
    email?: string | null;
    firstName?: string | null;
    lastName?: string | null;
    locale?: string | null;
  }): { customer: CustomerRecord } | { userErrors: { field: string[]; message: string }[] } {
    const email = input.email?.trim() || null;
    if (!email && !input.firstName && !input.lastName) {
      return { userErrors: [{ field: ["email"], message: "Email can't be blank" }] };
    }
    if (email && [...this.customers.values()].some((c) => c.email?.toLowerCase() === email.toLowerCase())) {
      return { userErrors: [{ field: ["email"], message: "Email has already been taken" }] };
    }
    const now = this.now();
    const customer: CustomerRecord = {
      id: `gid://shopify/Customer/${this.newId()}`,
      email,
      firstName: input.firstName ?? null,
      lastName: input.lastName ?? null,
      locale: input.locale ?? "en",
      createdAt: now,
      updatedAt: now,
    };
    this.customers.set(customer.id, customer);
    return { customer };
  }

  // ---- discounts ----

  createDiscount(
    kind: DiscountKind,
    input: DiscountCodeInput,
  ): { discount: DiscountRecord } | { userErrors: DiscountUserError[] } {
    const result = validateDiscountInput(kind, input, {
      customerExists: (gid) => this.customers.has(gid),
      codeTaken: (code) => this.codes.has(code.toLowerCase()),
    });
    if ("userErrors" in result) return result;
    const now = this.now();
    const discount: DiscountRecord = {
      ...result.discount,
      id: `gid://shopify/DiscountCodeNode/${this.newId()}`,
      redeemCodeId: `gid://shopify/DiscountRedeemCode/${this.newId()}`,
      redeemedAt: [],
      usedBy: [],
      createdAt: now,
      updatedAt: now,
    };
    this.discounts.set(discount.id, discount);
    this.codes.set(discount.code.toLowerCase(), discount.id);
    return { discount };
  }

  getDiscount(id: string): DiscountRecord | undefined {
    return this.discounts.get(id);
  }

  findDiscountByCode(code: string): DiscountRecord | undefined {
    const id = this.codes.get(code.toLowerCase());
    return id ? this.discounts.get(id) : undefined;
  }

  listDiscounts(): DiscountRecord[] {
    return [...this.discounts.values()];
  }

  /**
   * `asyncUsageCount` "is updated asynchronously ... might be lower than the actual usage count"
   * (the field's description in Shopify's schema): orders count only once they are `lagMs` old.
   * How long the delay is in Shopify is not documented; 0 unless a test sets it.
   */
  asyncUsageCountOf(discount: DiscountRecord): number {
    const visibleBefore = this.now().getTime() - this.usageCountLagMs;
    return discount.redeemedAt.filter((at) => at.getTime() <= visibleBefore).length;
  }

  setUsageCountLag(lagMs: number): void {
    this.usageCountLagMs = lagMs;
  }

  statusOf(discount: DiscountRecord): DiscountStatus {
    const now = this.now();
    if (discount.startsAt > now) return "SCHEDULED";
    if (discount.endsAt && discount.endsAt <= now) return "EXPIRED";
    return "ACTIVE";
  }

  /**
   * Ends the discount now, and a scheduled one also starts now (status EXPIRED); the code stays
   * reserved. As recorded against a live store in airhorns/shopify-draft-proxy
   * (fixtures/conformance/.../discounts/discount-activate-deactivate-edge-cases.json).
   */
  deactivateDiscount(id: string): DiscountRecord | undefined {
    const discount = this.discounts.get(id);
    if (!discount) return undefined;
    if (this.statusOf(discount) !== "EXPIRED") {
      const now = this.now();
      const second = toWholeSeconds(now);
      if (discount.startsAt > now) discount.startsAt = second;
      discount.endsAt = second;
      discount.updatedAt = now;
    }
    return discount;
  }

  /**
   * Live again with no end date: Shopify's activate does not bring back the planned end, so the
   * code would never expire until an update sets `endsAt` (same fixtures as above, and
   * discount-code-basic-lifecycle.json).
   */
  activateDiscount(id: string): DiscountRecord | undefined {
    const discount = this.discounts.get(id);
    if (!discount) return undefined;
    const now = this.now();
    if (this.statusOf(discount) === "EXPIRED") {
      discount.endsAt = null;
      discount.updatedAt = now;
    }
    return discount;
  }

  /**
   * The dates of `discountCode{Basic,FreeShipping,Bxgy}Update`: only the fields given change (an
   * update with only dates is assumed to leave the rest alone). A type other than the discount's
   * is refused, as Shopify's update of one type cannot change another.
   */
  updateDiscountDates(
    id: string,
    kind: DiscountRecord["kind"],
    dates: { startsAt?: Date; endsAt?: Date | null },
  ): DiscountRecord | "not-found" | "wrong-type" | "ends-before-start" {
    const discount = this.discounts.get(id);
    if (!discount) return "not-found";
    if (discount.kind !== kind) return "wrong-type";
    const startsAt = dates.startsAt ? toWholeSeconds(dates.startsAt) : discount.startsAt;
    const endsAt =
      dates.endsAt === undefined ? discount.endsAt : dates.endsAt && toWholeSeconds(dates.endsAt);
    if (endsAt && endsAt <= startsAt) return "ends-before-start";
    discount.startsAt = startsAt;
    discount.endsAt = endsAt;
    discount.updatedAt = this.now();
    return discount;
  }

  deleteDiscount(id: string): boolean {
    const discount = this.discounts.get(id);
    if (!discount) return false;
    this.discounts.delete(id);
    this.codes.delete(discount.code.toLowerCase());
    return true;
  }

  /** A checkout that redeems `code`: what the control route `POST /_control/orders` drives. */
  placeOrder(input: { code: string; customerId?: string; subtotal?: number }): PlaceOrderResult {
    const discount = this.findDiscountByCode(input.code);
    if (!discount) return { ok: false, status: 404, message: `Unknown discount code ${input.code}` };
    if (this.statusOf(discount) !== "ACTIVE") {
      return { ok: false, status: 409, message: `Discount code ${discount.code} is not active` };
    }
    if (discount.usageLimit != null && discount.redeemedAt.length >= discount.usageLimit) {
      return { ok: false, status: 409, message: `Discount code ${discount.code} reached its usage limit` };
    }
    const customerGid = input.customerId ? toCustomerGid(input.customerId) : undefined;
    const customer = customerGid ? this.customers.get(customerGid) : undefined;
    if (customerGid && !customer)
      return { ok: false, status: 404, message: `Unknown customer ${customerGid}` };
    if (
      discount.context.kind === "customers" &&
      !(customerGid && discount.context.customerIds.includes(customerGid))
    ) {
      return {
        ok: false,
        status: 409,
        message: `Discount code ${discount.code} is not valid for this customer`,
      };
    }
    if (discount.appliesOncePerCustomer && customerGid && discount.usedBy.includes(customerGid)) {
      return {
        ok: false,
        status: 409,
        message: `Discount code ${discount.code} was already used by this customer`,
      };
    }
    const subtotal = input.subtotal ?? 10_000;
    discount.redeemedAt.push(this.now());
    if (customerGid) discount.usedBy.push(customerGid);
    return {
      ok: true,
      order: {
        id: this.newId(),
        discount,
        customer: customer ?? null,
        subtotal,
        discountAmount: discountAmountOf(discount, subtotal),
        createdAt: this.now(),
      },
    };
  }

  orderNumber(): number {
    this.nextOrderNumber += 1;
    return this.nextOrderNumber;
  }

  // ---- metafields ----

  expandNamespace(namespace: string | null | undefined): string {
    const ns = namespace ?? DEFAULT_NAMESPACE;
    const app = /^\$app(?::(.+))?$/.exec(ns);
    if (!app) return ns;
    return app[1] ? `app--${this.options.clientId}--${app[1]}` : `app--${this.options.clientId}`;
  }

  getMetafield(
    ownerId: string,
    namespace: string | null | undefined,
    key: string,
  ): MetafieldRecord | undefined {
    return this.metafields.get(metafieldKey(ownerId, this.expandNamespace(namespace), key));
  }

  /** Opaque 64-hex digest; depends on the write version, not only on the value. */
  digestOf(metafield: MetafieldRecord): string {
    return createHash("sha256")
      .update(`${metafield.id}\u0000${metafield.version}\u0000${metafield.value}`)
      .digest("hex");
  }

  /** All-or-nothing write of up to 25 metafields with compare-and-set. */
  setMetafields(
    inputs: readonly MetafieldsSetInput[],
  ): { metafields: MetafieldRecord[] } | { userErrors: MetafieldsSetUserError[] } {
    if (inputs.length > METAFIELDS_PER_CALL) {
      return {
        userErrors: [
          {
            field: ["metafields"],
            message: `Exceeded the maximum metafields input limit of ${METAFIELDS_PER_CALL}.`,
            code: "LESS_THAN_OR_EQUAL_TO",
            elementIndex: null,
          },
        ],
      };
    }
    const errors: MetafieldsSetUserError[] = [];
    const planned: {
      input: MetafieldsSetInput;
      namespace: string;
      type: string;
      existing?: MetafieldRecord;
    }[] = [];
    inputs.forEach((input, index) => {
      const fail = (path: string[], message: string, code: string, elementIndex: number | null = index) =>
        errors.push({ field: ["metafields", String(index), ...path], message, code, elementIndex });
      const namespace = this.expandNamespace(input.namespace);
      const existing = this.metafields.get(metafieldKey(input.ownerId, namespace, input.key));
      const type = input.type ?? existing?.type;
      const before = errors.length;

      if (!this.customers.has(input.ownerId)) fail(["ownerId"], "Owner does not exist.", "INVALID_VALUE");
      if (namespace.length < 3)
        fail(["namespace"], "Namespace is too short (minimum is 3 characters)", "TOO_SHORT");
      if (namespace.length > 255)
        fail(["namespace"], "Namespace is too long (maximum is 255 characters)", "TOO_LONG");
      if (input.key.length < 2) fail(["key"], "Key is too short (minimum is 2 characters)", "TOO_SHORT");
      if (input.key.length > 64) fail(["key"], "Key is too long (maximum is 64 characters)", "TOO_LONG");
      if (!type) fail(["type"], "Type can't be blank", "BLANK");
      else {
        const problem = valueProblem(type, input.value);
        if (problem) fail(["value"], problem.message, problem.code);
      }
      if (errors.length > before) return;

      if (input.compareDigest !== undefined) {
        if (input.compareDigest === null) {
          if (existing) fail([], staleMessage, "STALE_OBJECT", null);
        } else if (!existing) {
          fail(["compareDigest"], "Invalid `compareDigest` value.", "INVALID_COMPARE_DIGEST");
        } else if (input.compareDigest !== this.digestOf(existing)) {
          // Shopify let a malformed digest through when the value did not change (research §3).
          const malformed = !/^[0-9a-f]{64}$/.test(input.compareDigest);
          if (!(malformed && existing.value === input.value)) fail([], staleMessage, "STALE_OBJECT", null);
        }
      }
      if (errors.length === before && type) planned.push({ input, namespace, type, existing });
    });
    if (errors.length > 0) return { userErrors: errors };

    const now = this.now();
    const written = planned.map(({ input, namespace, type, existing }) => {
      const record: MetafieldRecord = existing
        ? { ...existing, type, value: input.value, version: existing.version + 1, updatedAt: now }
        : {
            id: `gid://shopify/Metafield/${this.newId()}`,
            ownerId: input.ownerId,
            namespace,
            key: input.key,
            type,
            value: input.value,
            version: 1,
            createdAt: now,
            updatedAt: now,
          };
      this.metafields.set(metafieldKey(record.ownerId, namespace, record.key), record);
      return record;
    });
    return { metafields: written };
  }
}

const staleMessage =
  "The resource has been updated since it was loaded. Try again with an updated `compareDigest` value.";

function metafieldKey(ownerId: string, namespace: string, key: string): string {
  return `${ownerId}\u0000${namespace}\u0000${key}`;
}

function valueProblem(type: string, value: string): { message: string; code: string } | undefined {
  switch (type) {
    case "json":
      try {
        JSON.parse(value);
      } catch (error) {
        return { message: `Value is invalid JSON: ${(error as Error).message}.`, code: "INVALID_VALUE" };
      }
      if (Buffer.byteLength(value, "utf8") > JSON_METAFIELD_MAX_BYTES) {
        return {
          message: `Value exceeds the maximum size of ${JSON_METAFIELD_MAX_BYTES} bytes.`,
          code: "LESS_THAN_OR_EQUAL_TO",
        };
      }
      return undefined;
    case "single_line_text_field":
      return /[\r\n]/.test(value)
        ? { message: "Value must be a single line.", code: "INVALID_VALUE" }
        : undefined;
    case "multi_line_text_field":
      return undefined;
    case "number_integer":
      return /^-?\d+$/.test(value)
        ? undefined
        : { message: "Value must be an integer.", code: "INVALID_VALUE" };
    case "number_decimal":
      return /^-?\d+(\.\d+)?$/.test(value)
        ? undefined
        : { message: "Value must be a decimal.", code: "INVALID_VALUE" };
    case "boolean":
      return value === "true" || value === "false"
        ? undefined
        : { message: "Value must be true or false.", code: "INVALID_VALUE" };
    case "date_time":
    case "date":
      return Number.isNaN(Date.parse(value))
        ? { message: "Value must be a date.", code: "INVALID_VALUE" }
        : undefined;
    default:
      return { message: `Type '${type}' is not supported.`, code: "INVALID_TYPE" };
  }
}

/** The parsed `jsonValue` of a metafield. */
export function jsonValueOf(metafield: MetafieldRecord): unknown {
  switch (metafield.type) {
    case "json":
      return JSON.parse(metafield.value);
    case "number_integer":
    case "number_decimal":
      return Number(metafield.value);
    case "boolean":
      return metafield.value === "true";
    default:
      return metafield.value;
  }
}

export function displayNameOf(customer: CustomerRecord): string {
  const name = [customer.firstName, customer.lastName].filter(Boolean).join(" ");
  return name || customer.email || "";
}

function toCustomerGid(id: string): string {
  return id.startsWith("gid://") ? id : `gid://shopify/Customer/${id}`;
}

function discountAmountOf(discount: DiscountRecord, subtotal: number): number {
  const value = discount.customerGets?.value;
  if (value?.kind === "amount") return Math.min(Number(value.amount), subtotal);
  if (value?.kind === "percentage") return Math.round(subtotal * value.percentage * 100) / 100;
  return 0;
}

function fromDemo(demo: DemoCustomer, now: Date): CustomerRecord {
  return {
    id: demoCustomerGid(demo.shopifyId),
    email: demo.email,
    firstName: demo.firstName,
    lastName: demo.lastName,
    locale: demo.locale,
    createdAt: now,
    updatedAt: now,
  };
}
