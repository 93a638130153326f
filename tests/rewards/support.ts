import { randomUUID } from "node:crypto";
import { localAdminIssuer } from "../../infra/local/admin-issuer";
import type { AdminRole } from "../../shared/auth/admin";
import { mintAdminToken } from "../../shared/auth/admin-token";
import type { TestStack } from "../support/local-stack";

/** Requests the reward tests make through the local gateway, as shop staff or as a customer. */

export const hanako = { customerId: "8840734670935", posCustomerId: "1002" } as const;
export const jiro = "8840734670936";

export function adminClient(t: TestStack) {
  const tokens = new Map<string, Promise<string>>();
  const tokenOf = (role: AdminRole, email: string) => {
    const key = `${role}:${email}`;
    let token = tokens.get(key);
    if (!token) {
      token = mintAdminToken({
        email,
        role,
        issuer: localAdminIssuer.issuer,
        audience: localAdminIssuer.audience,
        privateKey: localAdminIssuer.privateKey,
      });
      tokens.set(key, token);
    }
    return token;
  };
  return async (
    method: string,
    path: string,
    options: { role?: AdminRole | "none"; email?: string; body?: unknown } = {},
  ) => {
    const headers = new Headers({ "content-type": "application/json" });
    const role = options.role ?? "admin";
    if (role !== "none") {
      headers.set("authorization", `Bearer ${await tokenOf(role, options.email ?? "ops@example.com")}`);
    }
    const response = await fetch(`${t.stack.urls.api}${path}`, {
      method,
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
}

/** POST /v1/me/conversions with any body. */
/**
 * POST /v1/me/conversions with any body. A refused conversion answers before its saga frees the
 * customer's lease, so a 409 is waited out with the same key, as a careful client would.
 */
export async function convertBy(
  t: TestStack,
  customerId: string,
  body: unknown,
  idempotencyKey: string = randomUUID(),
): Promise<{ status: number; body: Record<string, unknown> }> {
  for (let attempt = 1; ; attempt++) {
    const response = await t.api("/v1/me/conversions", {
      method: "POST",
      customerId,
      headers: { "content-type": "application/json", "idempotency-key": idempotencyKey },
      body: JSON.stringify(body),
    });
    const answer = { status: response.status, body: (await response.json()) as Record<string, unknown> };
    if (answer.status !== 409 || attempt === 20) return answer;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export const codeOf = (answer: { body: Record<string, unknown> }) => {
  const coupon = answer.body.coupon as { code?: unknown } | undefined;
  if (typeof coupon?.code !== "string") throw new Error(`No coupon in ${JSON.stringify(answer.body)}`);
  return coupon.code;
};
