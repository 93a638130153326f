import { Forbidden, Unauthenticated } from "../errors";

/**
 * Shop staff behind the admin routes. API Gateway's JWT authorizer (locally: the local gateway)
 * has already checked the token's signature, issuer, audience and expiry; what remains is who
 * the person is and which role their groups give them.
 */

export const adminGroups = { viewer: "loyalty-viewer", admin: "loyalty-admin" } as const;
export type AdminRole = keyof typeof adminGroups;

export interface AdminPrincipal {
  /** The token's subject: stable, recorded as `cancelled_by` and in the audit trail. */
  id: string;
  /** For people reading the audit trail; may be absent from access tokens. */
  email?: string;
  roles: AdminRole[];
}

type Claims = Record<string, string | number | boolean | string[] | undefined>;

/**
 * HTTP APIs hand list claims to Lambda as a string such as "[loyalty-admin loyalty-viewer]";
 * accept that form, a JSON list and a real array. Names are compared whole: Cognito group names
 * cannot hold whitespace, so the bracketed form splits on whitespace only (a group named
 * "x,loyalty-admin" stays one name).
 */
function groupsOf(value: Claims[string]): string[] {
  if (Array.isArray(value)) return value;
  if (typeof value !== "string") return [];
  const text = value.trim();
  if (text.startsWith('["')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) return parsed.filter((group): group is string => typeof group === "string");
    } catch {
      // Fall through to the bracketed, space-separated form.
    }
  }
  return text
    .replace(/^\[|\]$/g, "")
    .split(/\s+/)
    .filter(Boolean);
}

export function adminFromClaims(claims: Claims | undefined): AdminPrincipal {
  const id = claims?.sub;
  if (typeof id !== "string" || id === "") {
    throw new Unauthenticated("Sign in to the admin console again");
  }
  const groups = groupsOf(claims?.["cognito:groups"]);
  const roles = (Object.keys(adminGroups) as AdminRole[]).filter((role) =>
    groups.includes(adminGroups[role]),
  );
  const email = typeof claims?.email === "string" ? claims.email : undefined;
  return { id, ...(email ? { email } : {}), roles };
}

/** Viewers read; admins read and change. A role-less staff member can do neither. */
export function requireRole(principal: AdminPrincipal, role: AdminRole): void {
  const allowed = role === "viewer" ? principal.roles.length > 0 : principal.roles.includes("admin");
  if (!allowed) {
    throw new Forbidden(
      role === "admin"
        ? "This needs the loyalty-admin role; viewers can only look"
        : "This needs the loyalty-viewer or loyalty-admin role",
    );
  }
}

/** How an admin appears in records: their email when known, else their subject. */
export const adminLabel = (principal: AdminPrincipal) => principal.email ?? principal.id;
