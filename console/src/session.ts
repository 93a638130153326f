import { type User, UserManager, WebStorageStateStore } from "oidc-client-ts";

/**
 * Sign-in through the OIDC provider (Cognito managed login in AWS, the local admin issuer
 * locally): authorization code flow with PKCE, tokens kept in this tab's sessionStorage, renewed
 * with the refresh token before they expire. The API gets the ID token: Cognito's access tokens
 * carry no email, and the audit trail records staff by email.
 */

export interface ConsoleConfig {
  /** OIDC issuer URL whose `/.well-known/openid-configuration` the client reads. */
  authority: string;
  clientId: string;
  /** Cognito's `/logout` (the local issuer has the same). */
  signOutEndpoint: string;
  /** Link executions to the AWS Step Functions console (false locally). */
  stepFunctionsConsole: boolean;
}

export type Role = "admin" | "viewer" | "none";

export interface StaffSession {
  email: string;
  role: Role;
  idToken: string;
}

const groupsOf = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((group): group is string => typeof group === "string") : [];

export function sessionOf(user: User): StaffSession {
  const groups = groupsOf(user.profile["cognito:groups"]);
  const role: Role = groups.includes("loyalty-admin")
    ? "admin"
    : groups.includes("loyalty-viewer")
      ? "viewer"
      : "none";
  const email = typeof user.profile.email === "string" ? user.profile.email : user.profile.sub;
  return { email, role, idToken: user.id_token ?? "" };
}

/** The console's own URL, its callback and sign-out URL: `<origin>/admin/`. */
export const consoleUrl = () => new URL("./", window.location.href.split(/[?#]/)[0]).href;

export async function loadConfig(): Promise<ConsoleConfig> {
  const response = await fetch(new URL("config.json", consoleUrl()), { cache: "no-store" });
  if (!response.ok) throw new Error(`config.json answered ${response.status}`);
  const config = (await response.json()) as Partial<ConsoleConfig>;
  if (
    typeof config.authority !== "string" ||
    typeof config.clientId !== "string" ||
    typeof config.signOutEndpoint !== "string"
  ) {
    throw new Error("config.json lacks authority, clientId or signOutEndpoint");
  }
  return { ...config, stepFunctionsConsole: config.stepFunctionsConsole === true } as ConsoleConfig;
}

export class Auth {
  readonly manager: UserManager;
  constructor(readonly config: ConsoleConfig) {
    this.manager = new UserManager({
      authority: config.authority,
      client_id: config.clientId,
      redirect_uri: consoleUrl(),
      post_logout_redirect_uri: consoleUrl(),
      response_type: "code",
      scope: "openid email profile",
      userStore: new WebStorageStateStore({ store: window.sessionStorage }),
      automaticSilentRenew: true,
      // The profile comes from the ID token; Cognito's userInfo endpoint would add nothing.
      loadUserInfo: false,
    });
  }

  /** Finishes a sign-in redirect when the URL carries its code; returns the hash to go back to. */
  async completeSignIn(): Promise<string | undefined> {
    const url = new URL(window.location.href);
    if (!url.searchParams.has("state") || !(url.searchParams.has("code") || url.searchParams.has("error"))) {
      return undefined;
    }
    const user = await this.manager.signinRedirectCallback();
    const back = typeof user.state === "string" && user.state.startsWith("#") ? user.state : "#/coupons";
    window.history.replaceState(null, "", `${consoleUrl()}${back}`);
    return back;
  }

  async current(): Promise<User | null> {
    const user = await this.manager.getUser();
    if (user && !user.expired) return user;
    if (user?.refresh_token) {
      try {
        return await this.manager.signinSilent();
      } catch {
        await this.manager.removeUser();
      }
    }
    return null;
  }

  signIn(): Promise<void> {
    return this.manager.signinRedirect({ state: window.location.hash || "#/coupons" });
  }

  /** Forgets the tokens here, then ends the managed-login session (Cognito `/logout`). */
  async signOut(): Promise<void> {
    await this.manager.removeUser();
    const target = new URL(this.config.signOutEndpoint);
    target.searchParams.set("client_id", this.config.clientId);
    target.searchParams.set("logout_uri", consoleUrl());
    window.location.assign(target.href);
  }
}
