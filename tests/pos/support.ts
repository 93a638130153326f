import { demoCredentials } from "../../infra/local/demo-data";
import { type RunningSmaregiEmulator, startSmaregiEmulator } from "../../infra/local/smaregi";
import { type SmaregiClientOptions, SmaregiPointsLedger } from "../../shared/adapters/smaregi";

/** Demo members (see infra/local/demo-data.ts). */
export const taro = { memberNumber: "8840734670934", customerId: "1001", points: 1250 } as const;
export const hanako = { memberNumber: "8840734670935", customerId: "1002", points: 0 } as const;
export const jiroMemberNumber = "8840734670936";

/** An emulator on a free port whose clock tests can move forward. */
export async function startTestEmulator() {
  const clock = { offsetMs: 0 };
  const emulator = await startSmaregiEmulator({
    port: 0,
    latencyProfile: "none",
    now: () => new Date(Date.now() + clock.offsetMs),
  });
  return {
    emulator,
    clock,
    /** Fresh demo data, no faults, counters at zero, real time. */
    reset() {
      clock.offsetMs = 0;
      emulator.control.reset();
      emulator.store.reset();
    },
  };
}

/** A POS client pointed at the emulator, with timeouts short enough for tests. */
export function ledgerFor(emulator: RunningSmaregiEmulator, overrides: Partial<SmaregiClientOptions> = {}) {
  return new SmaregiPointsLedger(ledgerOptionsFor(emulator, overrides));
}

/** The options of `ledgerFor`. */
export function ledgerOptionsFor(
  emulator: RunningSmaregiEmulator,
  overrides: Partial<SmaregiClientOptions> = {},
): SmaregiClientOptions {
  return {
    authUrl: emulator.url,
    apiUrl: emulator.url,
    contractId: demoCredentials.smaregiContractId,
    credentials: async () => ({
      clientId: demoCredentials.smaregiClientId,
      clientSecret: demoCredentials.smaregiClientSecret,
    }),
    memberField: "customerCode",
    lookupTimeoutMs: 150,
    writeTimeoutMs: 250,
    retryBaseDelayMs: 5,
    ...overrides,
  };
}

/** A bearer token for raw protocol calls. */
export async function accessToken(emulator: RunningSmaregiEmulator, scope: string): Promise<string> {
  const response = await fetch(`${emulator.url}/app/${demoCredentials.smaregiContractId}/token`, {
    method: "POST",
    headers: {
      authorization: `Basic ${Buffer.from(`${demoCredentials.smaregiClientId}:${demoCredentials.smaregiClientSecret}`).toString("base64")}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ grant_type: "client_credentials", scope }).toString(),
  });
  const body = (await response.json()) as { access_token: string };
  return body.access_token;
}

export const calls = (emulator: RunningSmaregiEmulator) => emulator.control.snapshot().calls;
