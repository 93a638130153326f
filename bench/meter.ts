/**
 * Counts what the local stack did between `start()` and `finish()`, from what its components
 * reported: the handler invocations the stack's measuring hook saw, the Step Functions executions
 * and their histories, the DynamoDB capacity the counting proxy summed, the mail the local SES
 * holds and the calls each emulator counted.
 */
import { readFileSync } from "node:fs";
import type { CapacityCounts, CapacityMeter } from "../infra/local/dynamodb-capacity";
import type { FunctionInvocation, LocalStackWithEmulatorProcess } from "../infra/local/stack";
import { lambdaUsage, type ScenarioUsage, slot, stateTransitions } from "./cost";

type MeteredStack = Pick<LocalStackWithEmulatorProcess, "urls" | "stepFunctions"> & {
  capacity?: CapacityMeter;
  emulatorProcess?: { pid: number };
};

/** Clock ticks per second of /proc/<pid>/stat times: 100 on Linux builds (USER_HZ). */
const USER_HZ = 100;

/** CPU milliseconds (user + system) a process has used, from /proc; undefined off Linux. */
function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
  } catch {
    return undefined;
  }
}

const EMULATORS = ["smaregi", "shopify", "ses"] as const;

async function json<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return (await response.json()) as T;
}

export class UsageMeter {
  private invocations: FunctionInvocation[] = [];
  private knownExecutions = new Set<string>();
  private sesAtStart = 0;
  private callsAtStart: Record<string, Record<string, number>> = {};
  private cpuAtStart = process.cpuUsage();
  private emulatorCpuAtStart: number | undefined;

  constructor(private readonly stack: MeteredStack) {}

  /** The stack's `onInvocation` hook. */
  readonly record = (invocation: FunctionInvocation): void => {
    this.invocations.push(invocation);
  };

  private async sesCount(): Promise<number> {
    return (await json<{ emails: unknown[] }>(`${this.stack.urls.ses}/store`)).emails.length;
  }

  private async emulatorCalls(): Promise<Record<string, Record<string, number>>> {
    const calls: Record<string, Record<string, number>> = {};
    for (const name of EMULATORS) {
      calls[name] = (
        await json<{ calls: Record<string, number> }>(`${this.stack.urls[name]}/_control`)
      ).calls;
    }
    return calls;
  }

  /** Waits for every execution started so far to end, so the next window starts clean. */
  private async settle(): Promise<string[]> {
    const fresh = this.stack.stepFunctions
      .listAllExecutions()
      .map((execution) => execution.executionArn)
      .filter((arn) => !this.knownExecutions.has(arn));
    for (const arn of fresh) await this.stack.stepFunctions.waitForExecution(arn);
    return fresh;
  }

  async start(): Promise<void> {
    for (const arn of await this.settle()) this.knownExecutions.add(arn);
    await this.stack.capacity?.reset();
    this.sesAtStart = await this.sesCount();
    this.callsAtStart = await this.emulatorCalls();
    this.invocations = [];
    this.cpuAtStart = process.cpuUsage();
    this.emulatorCpuAtStart = this.emulatorCpuMs();
  }

  private emulatorCpuMs(): number | undefined {
    const pid = this.stack.emulatorProcess?.pid;
    return pid === undefined ? undefined : processCpuMs(pid);
  }

  /** Usage of the window, once every execution it started has ended. */
  async finish(operations: number): Promise<ScenarioUsage> {
    const cpu = process.cpuUsage(this.cpuAtStart);
    const emulatorCpuNow = this.emulatorCpuMs();
    const executions = await this.settle();
    const byStateMachine: ScenarioUsage["stepFunctions"]["byStateMachine"] = {};
    let transitions = 0;
    for (const arn of executions) {
      this.knownExecutions.add(arn);
      const events = [];
      let nextToken: string | undefined;
      do {
        const page = this.stack.stepFunctions.getExecutionHistory({
          executionArn: arn,
          maxResults: 1000,
          ...(nextToken ? { nextToken } : {}),
        });
        events.push(...page.events);
        nextToken = page.nextToken;
      } while (nextToken);
      const count = stateTransitions(events);
      const machine = arn.split(":")[6] ?? "unknown";
      const entry = slot(byStateMachine, machine, () => ({ executions: 0, transitions: 0 }));
      entry.executions += 1;
      entry.transitions += count;
      transitions += count;
    }
    const invocations = this.invocations;
    this.invocations = [];
    const callsNow = await this.emulatorCalls();
    const dependencyCalls: Record<string, Record<string, number>> = {};
    for (const name of EMULATORS) {
      const before = this.callsAtStart[name] ?? {};
      const diff: Record<string, number> = {};
      for (const [operation, count] of Object.entries(callsNow[name] ?? {})) {
        const delta = count - (before[operation] ?? 0);
        if (delta > 0) diff[operation] = delta;
      }
      dependencyCalls[name] = diff;
    }
    const dynamodb: CapacityCounts = (await this.stack.capacity?.read()) ?? {
      readRequestUnits: 0,
      writeRequestUnits: 0,
      operations: {},
      transactWrites: { requests: 0, items: 0, reportedByLocal: 0, counted: 0, notRepriced: 0 },
    };
    return {
      operations,
      apiRequests: invocations.filter((invocation) => invocation.trigger === "api").length,
      lambda: lambdaUsage(invocations),
      stepFunctions: { executions: executions.length, transitions, byStateMachine },
      dynamodb,
      ses: { messages: (await this.sesCount()) - this.sesAtStart },
      dependencyCalls,
      cpu: {
        measuredProcessMs: (cpu.user + cpu.system) / 1000,
        ...(emulatorCpuNow !== undefined && this.emulatorCpuAtStart !== undefined
          ? { emulatorProcessMs: emulatorCpuNow - this.emulatorCpuAtStart }
          : {}),
      },
    };
  }
}
