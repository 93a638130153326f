import { randomBytes } from "node:crypto";

/** Scopes the emulator knows; the app registered with it may request any of them. */
export const smaregiScopes = ["pos.customers:read", "pos.customers:write", "pos.transactions:read"] as const;
export type SmaregiScope = (typeof smaregiScopes)[number];

/** The documented common value; the docs warn it may change, so clients must read `expires_in`. */
export const TOKEN_LIFETIME_SECONDS = 3600;

export interface IssuedToken {
  accessToken: string;
  contractId: string;
  scopes: ReadonlySet<string>;
  expiresAt: Date;
}

export type TokenCheck =
  | { ok: true; token: IssuedToken }
  | { ok: false; reason: "missing" | "unknown" | "expired" | "other-contract" };

/** Access tokens handed out by `POST /app/{contractId}/token`, remembered with scopes and expiry. */
export class TokenRegistry {
  private readonly tokens = new Map<string, IssuedToken>();

  constructor(private readonly now: () => Date) {}

  issue(contractId: string, scopes: readonly string[]): IssuedToken {
    this.forgetExpired();
    const token: IssuedToken = {
      accessToken: randomBytes(24).toString("base64url"),
      contractId,
      scopes: new Set(scopes),
      expiresAt: new Date(this.now().getTime() + TOKEN_LIFETIME_SECONDS * 1000),
    };
    this.tokens.set(token.accessToken, token);
    return token;
  }

  check(authorization: string | undefined, contractId: string): TokenCheck {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? "");
    const accessToken = match?.[1];
    if (!accessToken) return { ok: false, reason: "missing" };
    const token = this.tokens.get(accessToken);
    if (!token) return { ok: false, reason: "unknown" };
    if (token.expiresAt <= this.now()) return { ok: false, reason: "expired" };
    if (token.contractId !== contractId) return { ok: false, reason: "other-contract" };
    return { ok: true, token };
  }

  /** Makes every token issued so far invalid, as if Smaregi had revoked them. */
  revokeAll(): void {
    this.tokens.clear();
  }

  private forgetExpired(): void {
    const now = this.now();
    for (const [key, token] of this.tokens) if (token.expiresAt <= now) this.tokens.delete(key);
  }
}
