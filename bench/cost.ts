/**
 * The bench's cost model: what one business operation used of each billed AWS service, counted
 * during a bench run, and what that costs at the prices of `prices.ts`.
 */
import { functionMemoryMb, functions } from "../infra/catalog";
import type { CapacityCounts } from "../infra/local/dynamodb-capacity";
import type { FunctionInvocation } from "../infra/local/stack";
import type { HistoryEvent } from "../infra/local/stepfunctions";
import { costOf, type PriceName, prices } from "./prices";

/** The entry under `key`, made first when missing. */
export function slot<T>(record: Record<string, T>, key: string, make: () => T): T {
  let entry = record[key];
  if (entry === undefined) {
    entry = make();
    record[key] = entry;
  }
  return entry;
}

export interface LambdaUsage {
  memoryMb: number;
  invocations: number;
  /** Lambda bills duration rounded up to the millisecond, per invocation. */
  billedMs: number;
  gbSeconds: number;
}

/** Per function: invocations, billed duration and GB-seconds at the catalog's memory size. */
export function lambdaUsage(invocations: readonly FunctionInvocation[]): Record<string, LambdaUsage> {
  const usage: Record<string, LambdaUsage> = {};
  for (const invocation of invocations) {
    const memoryMb = functionMemoryMb(functions[invocation.function]);
    const entry = slot(usage, invocation.function, () => ({
      memoryMb,
      invocations: 0,
      billedMs: 0,
      gbSeconds: 0,
    }));
    const billedMs = Math.max(1, Math.ceil(invocation.durationMs));
    entry.invocations += 1;
    entry.billedMs += billedMs;
    entry.gbSeconds += (billedMs / 1000) * (memoryMb / 1024);
  }
  return usage;
}

/**
 * State transitions of one Standard execution, as Step Functions bills them: every state entered
 * (Task, Choice, Pass, Wait, Parallel, Succeed, Fail, ...) counts one, and so does every retry of a
 * Task (in the history: a task scheduled again without its state entered again).
 */
export function stateTransitions(events: readonly Pick<HistoryEvent, "type">[]): number {
  let entered = 0;
  let tasksEntered = 0;
  let scheduled = 0;
  for (const { type } of events) {
    if (type.endsWith("StateEntered")) entered += 1;
    if (type === "TaskStateEntered") tasksEntered += 1;
    if (type === "LambdaFunctionScheduled" || type === "TaskScheduled") scheduled += 1;
  }
  return entered + Math.max(0, scheduled - tasksEntered);
}

/** Everything one scenario used, over `operations` business operations. */
export interface ScenarioUsage {
  operations: number;
  /** API Gateway HTTP API requests that reached a route's function. */
  apiRequests: number;
  lambda: Record<string, LambdaUsage>;
  stepFunctions: {
    executions: number;
    transitions: number;
    byStateMachine: Record<string, { executions: number; transitions: number }>;
  };
  dynamodb: CapacityCounts;
  /**
   * Set when `dynamodb` was counted on a run of its own (the capacity pass, through the counting
   * proxy) and scaled to `operations`: how many operations that run counted.
   */
  dynamodbCountedOver?: number;
  ses: { messages: number };
  /** Calls the emulators counted per operation name (Smaregi, Shopify, SES): not billed by AWS. */
  dependencyCalls: Record<string, Record<string, number>>;
  /**
   * CPU time used during the window: the measured process (gateway, handlers, Step Functions and
   * the load generator's thread) and, when the emulators run apart, their process. Not billed.
   */
  cpu: { measuredProcessMs: number; emulatorProcessMs?: number };
}

export interface CostLine {
  item: string;
  /** Quantity over the `per` operations. */
  quantity: number;
  unit: string;
  usd: number;
  price: PriceName;
}

export interface CostEstimate {
  per: number;
  lines: CostLine[];
  totalUsd: number;
}

export function totalLambda(usage: ScenarioUsage): {
  invocations: number;
  gbSeconds: number;
  billedMs: number;
} {
  let invocations = 0;
  let gbSeconds = 0;
  let billedMs = 0;
  for (const entry of Object.values(usage.lambda)) {
    invocations += entry.invocations;
    gbSeconds += entry.gbSeconds;
    billedMs += entry.billedMs;
  }
  return { invocations, gbSeconds, billedMs };
}

/** What `per` operations cost, from the counts of `usage` scaled linearly. */
export function costFor(usage: ScenarioUsage, per: number): CostEstimate {
  if (usage.operations <= 0) throw new Error("A scenario without operations has no cost per operation");
  const scale = per / usage.operations;
  const lambda = totalLambda(usage);
  const quantities: Array<[string, number, string, PriceName]> = [
    ["API Gateway HTTP API", usage.apiRequests, "requests", "httpApiRequests"],
    ["Lambda requests", lambda.invocations, "invocations", "lambdaRequests"],
    ["Lambda duration", lambda.gbSeconds, "GB-s", "lambdaArmGbSecond"],
    ["Step Functions", usage.stepFunctions.transitions, "transitions", "stepFunctionsStandardTransitions"],
    ["DynamoDB reads", usage.dynamodb.readRequestUnits, "RRU", "dynamoDbReadRequestUnits"],
    ["DynamoDB writes", usage.dynamodb.writeRequestUnits, "WRU", "dynamoDbWriteRequestUnits"],
    ["SES", usage.ses.messages, "emails", "sesEmails"],
  ];
  const lines = quantities.map(([item, total, unit, price]) => {
    const quantity = total * scale;
    return { item, quantity, unit, usd: costOf(prices[price], quantity), price };
  });
  return { per, lines, totalUsd: lines.reduce((sum, line) => sum + line.usd, 0) };
}

/** Adds the counts of two runs of the same operation (e.g. balance reads at two concurrencies). */
export function combineUsage(a: ScenarioUsage, b: ScenarioUsage): ScenarioUsage {
  const lambda: Record<string, LambdaUsage> = structuredClone(a.lambda);
  for (const [name, entry] of Object.entries(b.lambda)) {
    const into = slot(lambda, name, () => ({
      memoryMb: entry.memoryMb,
      invocations: 0,
      billedMs: 0,
      gbSeconds: 0,
    }));
    into.invocations += entry.invocations;
    into.billedMs += entry.billedMs;
    into.gbSeconds += entry.gbSeconds;
  }
  const byStateMachine = structuredClone(a.stepFunctions.byStateMachine);
  for (const [name, entry] of Object.entries(b.stepFunctions.byStateMachine)) {
    const into = slot(byStateMachine, name, () => ({ executions: 0, transitions: 0 }));
    into.executions += entry.executions;
    into.transitions += entry.transitions;
  }
  const operations: CapacityCounts["operations"] = structuredClone(a.dynamodb.operations);
  for (const [name, entry] of Object.entries(b.dynamodb.operations)) {
    const into = slot(operations, name, () => ({
      requests: 0,
      readUnits: 0,
      writeUnits: 0,
      errors: {} as Record<string, number>,
    }));
    into.requests += entry.requests;
    into.readUnits += entry.readUnits;
    into.writeUnits += entry.writeUnits;
    for (const [type, count] of Object.entries(entry.errors))
      into.errors[type] = (into.errors[type] ?? 0) + count;
  }
  const dependencyCalls = structuredClone(a.dependencyCalls);
  for (const [system, calls] of Object.entries(b.dependencyCalls)) {
    const into = slot(dependencyCalls, system, (): Record<string, number> => ({}));
    for (const [name, count] of Object.entries(calls)) into[name] = (into[name] ?? 0) + count;
  }
  const tx = a.dynamodb.transactWrites;
  const txb = b.dynamodb.transactWrites;
  return {
    operations: a.operations + b.operations,
    apiRequests: a.apiRequests + b.apiRequests,
    lambda,
    stepFunctions: {
      executions: a.stepFunctions.executions + b.stepFunctions.executions,
      transitions: a.stepFunctions.transitions + b.stepFunctions.transitions,
      byStateMachine,
    },
    dynamodb: {
      readRequestUnits: a.dynamodb.readRequestUnits + b.dynamodb.readRequestUnits,
      writeRequestUnits: a.dynamodb.writeRequestUnits + b.dynamodb.writeRequestUnits,
      operations,
      transactWrites: {
        requests: tx.requests + txb.requests,
        items: tx.items + txb.items,
        reportedByLocal: tx.reportedByLocal + txb.reportedByLocal,
        counted: tx.counted + txb.counted,
        notRepriced: tx.notRepriced + txb.notRepriced,
      },
    },
    ses: { messages: a.ses.messages + b.ses.messages },
    dependencyCalls,
    cpu: {
      measuredProcessMs: a.cpu.measuredProcessMs + b.cpu.measuredProcessMs,
      ...(a.cpu.emulatorProcessMs !== undefined && b.cpu.emulatorProcessMs !== undefined
        ? { emulatorProcessMs: a.cpu.emulatorProcessMs + b.cpu.emulatorProcessMs }
        : {}),
    },
  };
}

/**
 * The latency pass runs without the DynamoDB counting proxy (its extra hop and its pricing writes
 * would slow what is measured); its `dynamodb` is taken from a capacity pass of the same operation,
 * per operation, scaled to this window's `operations`.
 */
export function withCapacityOf(usage: ScenarioUsage, counted: ScenarioUsage): ScenarioUsage {
  const factor = usage.operations / counted.operations;
  const scale = (value: number) => value * factor;
  const source = counted.dynamodb;
  const operations: CapacityCounts["operations"] = {};
  for (const [name, entry] of Object.entries(source.operations)) {
    operations[name] = {
      requests: scale(entry.requests),
      readUnits: scale(entry.readUnits),
      writeUnits: scale(entry.writeUnits),
      errors: Object.fromEntries(Object.entries(entry.errors).map(([type, count]) => [type, scale(count)])),
    };
  }
  const tx = source.transactWrites;
  return {
    ...usage,
    dynamodb: {
      readRequestUnits: scale(source.readRequestUnits),
      writeRequestUnits: scale(source.writeRequestUnits),
      operations,
      transactWrites: {
        requests: scale(tx.requests),
        items: scale(tx.items),
        reportedByLocal: scale(tx.reportedByLocal),
        counted: scale(tx.counted),
        notRepriced: scale(tx.notRepriced),
      },
    },
    dynamodbCountedOver: counted.operations,
  };
}
