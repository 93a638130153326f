import type { Hono } from "hono";
import { z } from "zod";

/**
 * Latency profiles and fault injection shared by the Shopify and Smaregi emulators.
 * This control API is not part of either real service; it exists so that tests, the soak and the
 * benchmark can reproduce slow and failing dependencies on demand.
 */

export const faultKinds = [
  "timeout",
  "commit-then-timeout",
  "late-commit",
  "http500",
  "http503",
  "throttle",
] as const;
export type FaultKind = (typeof faultKinds)[number];

export const faultRuleSchema = z.object({
  /** Operation name, or "*" for every operation. */
  operation: z.string().min(1),
  kind: z.enum(faultKinds),
  /** Probability per call (0..1]; 1 when omitted. */
  rate: z.number().gt(0).max(1).optional(),
  /** How many times the fault fires at most; unlimited when omitted. */
  count: z.number().int().positive().optional(),
  /** `late-commit`: how long after the request the effect is applied; 3 s when omitted. */
  delayMs: z.number().int().min(0).max(600_000).optional(),
});
export type FaultRule = z.infer<typeof faultRuleSchema>;

export const latencyTableSchema = z.record(z.string(), z.number().int().min(0).max(600_000));
/** Milliseconds per operation; `default` applies to operations not named. */
export type LatencyTable = z.infer<typeof latencyTableSchema>;

interface ActiveRule extends FaultRule {
  remaining: number;
}

/** How long a "timeout" keeps the request open before the emulator drops it. */
const HANG_MS = 120_000;
/** How long after the request a "late-commit" applies it, unless the rule says. */
const LATE_COMMIT_MS = 3_000;

/** A fault or latency named an operation the emulator does not have: it would never fire. */
export class UnknownOperation extends Error {
  override readonly name = "UnknownOperation";
}

export interface EmulatorControlOptions {
  /** The emulator's operation names; faults and latencies naming another are refused. */
  operations?: readonly string[];
  random?: () => number;
}

export class EmulatorControl {
  private latency: LatencyTable;
  private rules: ActiveRule[] = [];
  private readonly calls = new Map<string, number>();
  private readonly random: () => number;

  constructor(
    private readonly baseLatency: LatencyTable = {},
    private readonly options: EmulatorControlOptions = {},
  ) {
    this.latency = { ...baseLatency };
    this.random = options.random ?? Math.random;
  }

  setLatency(table: LatencyTable): void {
    this.assertKnown(Object.keys(table).filter((name) => name !== "default"));
    this.latency = { ...table };
  }

  setFaults(rules: readonly FaultRule[]): void {
    this.assertKnown(rules.map((rule) => rule.operation).filter((name) => name !== "*"));
    this.rules = rules.map((rule) => ({ ...rule, remaining: rule.count ?? Number.POSITIVE_INFINITY }));
  }

  /** A misspelt name would silently inject nothing, and a test relying on it would still pass. */
  private assertKnown(names: readonly string[]): void {
    const known = this.options.operations;
    if (!known) return;
    const unknown = names.filter((name) => !known.includes(name));
    if (unknown.length > 0) {
      throw new UnknownOperation(
        `Unknown operation ${unknown.map((name) => JSON.stringify(name)).join(", ")}; this emulator has: ${known.join(", ")} (or "*")`,
      );
    }
  }

  /** Back to the latency the emulator started with, no faults, counters cleared. */
  reset(): void {
    this.latency = { ...this.baseLatency };
    this.rules = [];
    this.calls.clear();
  }

  latencyFor(operation: string): number {
    return this.latency[operation] ?? this.latency.default ?? 0;
  }

  /** The rule that fires for one call of `operation`, its count consumed. */
  drawRule(operation: string): FaultRule | undefined {
    for (const rule of this.rules) {
      if (rule.remaining <= 0) continue;
      if (rule.operation !== operation && rule.operation !== "*") continue;
      if (this.random() >= (rule.rate ?? 1)) continue;
      rule.remaining -= 1;
      return rule;
    }
    return undefined;
  }

  countCall(operation: string): void {
    this.calls.set(operation, (this.calls.get(operation) ?? 0) + 1);
  }

  snapshot() {
    return {
      latency: this.latency,
      faults: this.rules.map(({ remaining, ...rule }) => ({
        ...rule,
        remaining: Number.isFinite(remaining) ? remaining : null,
      })),
      calls: Object.fromEntries(this.calls),
    };
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (ms <= 0) return resolve();
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });

/**
 * When each request reached an emulator's server (`serveApp` notes it). An operation's latency
 * counts from then, so an emulator's own work on the request (parsing, validating a GraphQL
 * document against Shopify's schema) is part of the latency the profile names, as the real
 * service's is part of its measured answer time, not added on top of it.
 */
const arrivals = new WeakMap<Request, number>();

/** Notes that `request` has just arrived; called by the server before the app sees it. */
export function noteArrival(request: Request): void {
  arrivals.set(request, performance.now());
}

/** How long `request` has been on the emulator's side; 0 for one the server did not note. */
const elapsedSinceArrival = (request: Request) => {
  const arrivedAt = arrivals.get(request);
  return arrivedAt === undefined ? 0 : performance.now() - arrivedAt;
};

export interface OperationHooks {
  /** Applies the operation's effect and builds its normal response. */
  commit: () => Promise<Response> | Response;
  /**
   * Reads the whole request before a `late-commit` waits, so that its effect can still be applied
   * once the caller has gone (as a server that queued the request would).
   */
  receive?: () => Promise<unknown>;
  /** Builds the emulator's own answer for an injected http500 / http503 / throttle. */
  failure: (kind: "http500" | "http503" | "throttle") => Response;
}

/**
 * Runs one emulated operation under the configured latency and faults. The answer (or the fault)
 * comes the operation's latency after the request arrived.
 * - `timeout`: nothing is applied and no answer comes (the connection is held open).
 * - `commit-then-timeout`: the effect is applied, then no answer comes: the ambiguous case.
 * - `late-commit`: no answer comes, and the effect is applied `delayMs` after the request, whether
 *   or not the caller still waits: a request queued on the service's side, applied after the
 *   caller concluded it never arrived.
 */
export async function runOperation(
  control: EmulatorControl,
  operation: string,
  request: Request,
  hooks: OperationHooks,
): Promise<Response> {
  const { signal } = request;
  control.countCall(operation);
  const rule = control.drawRule(operation);
  const fault = rule?.kind;
  await sleep(control.latencyFor(operation) - elapsedSinceArrival(request), signal);
  switch (fault) {
    case undefined:
      return hooks.commit();
    case "late-commit": {
      await hooks.receive?.();
      // Not cut short by the caller's going: the request is already on the service's side.
      await sleep(rule?.delayMs ?? LATE_COMMIT_MS);
      await hooks.commit();
      if (!signal?.aborted) await sleep(HANG_MS, signal);
      return new Response(null, { status: 504 });
    }
    case "timeout":
      await sleep(HANG_MS, signal);
      return new Response(null, { status: 504 });
    case "commit-then-timeout":
      await hooks.commit();
      await sleep(HANG_MS, signal);
      return new Response(null, { status: 504 });
    default:
      return hooks.failure(fault);
  }
}

/** Registers `/_control/*` on an emulator. `resetData` restores the demo data. */
export function mountControlRoutes(
  app: Hono,
  control: EmulatorControl,
  profiles: Record<string, LatencyTable>,
  resetData: () => void,
): void {
  app.get("/_control", (c) => c.json(control.snapshot()));
  app.put("/_control/latency", async (c) => {
    const body: unknown = await c.req.json().catch(() => undefined);
    const profile = z.object({ profile: z.string() }).safeParse(body);
    if (profile.success) {
      const table = profiles[profile.data.profile];
      if (!table) return c.json({ error: `unknown latency profile ${profile.data.profile}` }, 400);
      control.setLatency(table);
      return c.json(control.snapshot());
    }
    const parsed = latencyTableSchema.safeParse(body);
    if (!parsed.success) return c.json({ error: z.prettifyError(parsed.error) }, 400);
    try {
      control.setLatency(parsed.data);
    } catch (error) {
      if (error instanceof UnknownOperation) return c.json({ error: error.message }, 400);
      throw error;
    }
    return c.json(control.snapshot());
  });
  app.put("/_control/faults", async (c) => {
    const parsed = z.array(faultRuleSchema).safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return c.json({ error: z.prettifyError(parsed.error) }, 400);
    try {
      control.setFaults(parsed.data);
    } catch (error) {
      if (error instanceof UnknownOperation) return c.json({ error: error.message }, 400);
      throw error;
    }
    return c.json(control.snapshot());
  });
  app.post("/_control/reset", (c) => {
    control.reset();
    resetData();
    return c.json(control.snapshot());
  });
}
