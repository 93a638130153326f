import { describe, expect, it } from "vitest";
import { adminFromClaims, adminLabel, requireRole } from "../../shared/auth/admin";
import { Forbidden, Unauthenticated } from "../../shared/errors";

describe("shop staff from the authorizer's claims", () => {
  it.each([
    ["the HTTP API's bracketed form", "[loyalty-admin loyalty-viewer]"],
    ["a JSON list", '["loyalty-admin","loyalty-viewer"]'],
    ["a real list", ["loyalty-admin", "loyalty-viewer"]],
  ])("reads groups given as %s", (_form, groups) => {
    const admin = adminFromClaims({ sub: "abc", email: "ops@example.com", "cognito:groups": groups });

    expect(admin).toEqual({ id: "abc", email: "ops@example.com", roles: ["viewer", "admin"] });
    expect(adminLabel(admin)).toBe("ops@example.com");
  });

  it("lets viewers read but not change", () => {
    const viewer = adminFromClaims({ sub: "v", "cognito:groups": "[loyalty-viewer]" });

    expect(() => requireRole(viewer, "viewer")).not.toThrow();
    expect(() => requireRole(viewer, "admin")).toThrow(Forbidden);
    expect(adminLabel(viewer)).toBe("v");
  });

  it("gives nothing to staff without a loyalty group, and refuses a token without subject", () => {
    const stranger = adminFromClaims({ sub: "s", "cognito:groups": "[marketing]" });

    expect(stranger.roles).toEqual([]);
    expect(() => requireRole(stranger, "viewer")).toThrow(Forbidden);
    expect(() => adminFromClaims({ email: "x@example.com" })).toThrow(Unauthenticated);
    expect(() => adminFromClaims(undefined)).toThrow(Unauthenticated);
  });

  it.each([
    ["the HTTP API's bracketed form", "[x,loyalty-admin loyalty-viewer]"],
    ["a JSON list", '["x,loyalty-admin","loyalty-viewer"]'],
    ["a real list", ["x,loyalty-admin", "loyalty-viewer"]],
    ["the bracketed form, brackets in names", "[[loyalty-admin loyalty-admin]]"],
  ])("matches group names exactly, so a group named like a list grants nothing (%s)", (_form, groups) => {
    const staff = adminFromClaims({ sub: "s", "cognito:groups": groups });

    expect(staff.roles).not.toContain("admin");
    expect(() => requireRole(staff, "admin")).toThrow(Forbidden);
  });
});
