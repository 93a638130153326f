/** Value formats Shopify uses on the wire. */

/** Shopify echoes DateTime values in UTC with whole seconds: `2026-04-27T19:31:14Z`. */
export function formatDateTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Truncates to whole seconds, as Shopify stores discount dates. */
export function toWholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

const decimalPattern = /^-?\d+(\.\d+)?$/;

export function isDecimal(value: unknown): value is string | number {
  return (typeof value === "string" || typeof value === "number") && decimalPattern.test(String(value));
}

/**
 * Shopify returns Decimal money amounts in their shortest form with at least one fraction digit:
 * "5.00" -> "5.0", "500" -> "500.0", "12.50" -> "12.5".
 */
export function formatDecimal(value: string | number): string {
  const text = String(value);
  const [whole = "0", fraction = ""] = text.split(".");
  const trimmed = fraction.replace(/0+$/, "");
  return `${whole}.${trimmed === "" ? "0" : trimmed}`;
}

/** Amounts in REST webhook payloads carry two fraction digits: "500.00". */
export function formatRestAmount(value: number): string {
  return value.toFixed(2);
}
