/**
 * Calls to the loyalty API on the console's own origin (`/v1/*`; CloudFront routes it to the
 * HTTP API). Problems (RFC 9457) become `ApiProblem`s the screens explain.
 */

export class ApiProblem extends Error {
  override readonly name = "ApiProblem";
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly body: Record<string, unknown>,
  ) {
    super(detail || code);
  }
  /** `path: message; path: message` details (zod and reward validation) by field path. */
  fieldErrors(): Record<string, string> {
    const fields: Record<string, string> = {};
    for (const part of this.detail.split("; ")) {
      const match = /^([A-Za-z][\w.[\]]*): (.+)$/.exec(part);
      if (match?.[1] && match[2])
        fields[match[1]] = fields[match[1]] ? `${fields[match[1]]}; ${match[2]}` : match[2];
    }
    return fields;
  }
}

export class NetworkProblem extends Error {
  override readonly name = "NetworkProblem";
}

export interface ApiClient {
  get<T>(path: string): Promise<T>;
  send<T>(
    method: "POST" | "PUT",
    path: string,
    body: unknown,
    idempotencyKey?: string,
  ): Promise<{ status: number; body: T }>;
}

export function apiClient(token: () => Promise<string>, onUnauthenticated: () => void): ApiClient {
  async function call<T>(method: string, path: string, body?: unknown, idempotencyKey?: string) {
    const headers: Record<string, string> = {
      authorization: `Bearer ${await token()}`,
      accept: "application/json",
    };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (idempotencyKey) headers["idempotency-key"] = idempotencyKey;
    let response: Response;
    try {
      response = await fetch(path, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (error) {
      throw new NetworkProblem(error instanceof Error ? error.message : String(error));
    }
    const text = await response.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      parsed = { detail: text.slice(0, 200) };
    }
    if (response.status === 401) onUnauthenticated();
    if (!response.ok) {
      throw new ApiProblem(
        response.status,
        typeof parsed.code === "string" ? parsed.code : response.status === 401 ? "unauthenticated" : "error",
        typeof parsed.detail === "string"
          ? parsed.detail
          : typeof parsed.message === "string"
            ? parsed.message
            : "",
        parsed,
      );
    }
    return { status: response.status, body: parsed as T };
  }
  return {
    get: async <T>(path: string) => (await call<T>("GET", path)).body,
    send: <T>(method: "POST" | "PUT", path: string, body: unknown, idempotencyKey?: string) =>
      call<T>(method, path, body, idempotencyKey),
  };
}
