import "../polyfills";
import { randomUUID } from "node:crypto";
import { type RunOptions, StateMachine, type StateMachineDefinition } from "aws-local-stepfunctions";
import {
  collectTaskSites,
  isJsonObject,
  type JsonObject,
  resolveFunction,
  runnableDefinition,
  substitute,
  type TaskHandler,
  type TaskSite,
} from "./definition";
import { type AbortDetails, ExecutionHistory, type HistoryEvent } from "./history";
import { invokeAsLambda, TaskFailed } from "./lambda";

/**
 * Standard workflow executions run in-process by `aws-local-stepfunctions`, with the bookkeeping of
 * the Step Functions API around them: ARNs, name idempotency, status, listing and history.
 * Everything is kept in memory for the life of the process.
 *
 * Known differences from AWS (the interpreter's limits, or not worth emulating here):
 * - only Lambda tasks (function ARN or `lambda:invoke`, no `.waitForTaskToken`) and handlers
 *   registered under another resource ARN; no HeartbeatSeconds, JSONata, redrive or versions;
 * - `waitTimeScale` scales `Wait.Seconds` but not `SecondsPath`/`Timestamp`/`TimestampPath`;
 * - a Fail state without `Error`/`Cause` reports the interpreter's "FailStateError" and its message;
 * - `previousEventId` is the event before it, also across Parallel branches, where AWS chains
 *   each branch on its own; branch events are interleaved in the order the interpreter logs them.
 */

export interface LocalStepFunctionsOptions {
  region?: string;
  accountId?: string;
  /**
   * Multiplies the waits of `Retry` (IntervalSeconds, MaxDelaySeconds; BackoffRate still applies)
   * and of `Wait` states with a fixed `Seconds`, so tests need not sleep for real. 1 = real time.
   */
  waitTimeScale?: number;
}

export interface StateMachineRegistration {
  name: string;
  /** ASL JSON, with `${Placeholder}`s as in the file CDK deploys. */
  definition: string;
  /** The same map CDK passes as `definitionSubstitutions`. */
  substitutions?: Readonly<Record<string, string>>;
  /** Keyed by function ARN (after substitution), i.e. a Task's `Resource` or `Parameters.FunctionName`. */
  taskHandlers: Readonly<Record<string, TaskHandler>>;
}

export type ExecutionStatus = "RUNNING" | "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED";

export interface ExecutionSummary {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
}

export interface ExecutionDescription extends ExecutionSummary {
  input: string;
  output?: string;
  error?: string;
  cause?: string;
}

/** An error of the Step Functions API; `type` is the `__type` the SDK turns into an exception name. */
export class StepFunctionsError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = type;
  }
}

interface RegisteredStateMachine {
  readonly arn: string;
  readonly name: string;
  readonly interpreter: StateMachine;
  readonly sites: ReadonlyMap<string, TaskSite>;
  readonly taskHandlers: Readonly<Record<string, TaskHandler>>;
}

interface ExecutionRecord {
  readonly arn: string;
  readonly name: string;
  readonly stateMachineArn: string;
  readonly input: string;
  readonly startDate: Date;
  stopDate?: Date;
  status: ExecutionStatus;
  output?: string;
  error?: string;
  cause?: string;
  abortDetails?: AbortDetails;
  readonly history: ExecutionHistory;
  /** Settles once the execution has ended and its history is complete. */
  finished: Promise<void>;
  abort: () => void;
}

type TaskOverrides = NonNullable<NonNullable<RunOptions["overrides"]>["taskResourceLocalHandlers"]>;
type InterpreterJson = Parameters<TaskOverrides[string]>[0];

const MAX_PAGE = 1000;
const DEFAULT_PAGE = 100;

/** AWS: 1-80 characters, none of whitespace, brackets, wildcards, these specials, control characters. */
const INVALID_NAME = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\p{Cc}]/u;

function isValidName(name: string): boolean {
  return name.length >= 1 && name.length <= 80 && !INVALID_NAME.test(name);
}

function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString("base64url");
}

function decodeToken(token: string | undefined): number {
  if (token === undefined) return 0;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    if (isJsonObject(parsed) && typeof parsed.offset === "number" && parsed.offset >= 0) return parsed.offset;
  } catch {
    // Falls through to the error below.
  }
  throw new StepFunctionsError("InvalidToken", `Invalid Token: '${token}'`);
}

function pageSize(maxResults: number | undefined): number {
  // 0 or absent means the default page, as on AWS.
  if (maxResults === undefined || maxResults === 0) return DEFAULT_PAGE;
  if (maxResults < 0 || maxResults > MAX_PAGE) {
    throw new StepFunctionsError("ValidationException", `maxResults must be between 0 and ${MAX_PAGE}`);
  }
  return maxResults;
}

function page<T>(items: readonly T[], maxResults: number | undefined, nextToken: string | undefined) {
  const offset = decodeToken(nextToken);
  const size = pageSize(maxResults);
  const slice = items.slice(offset, offset + size);
  const next = offset + size < items.length ? encodeToken(offset + size) : undefined;
  return { items: slice, nextToken: next };
}

/** The `lambda:invoke` result around the function's payload, as the optimized integration returns it. */
function invokeResult(payload: unknown): JsonObject {
  const requestId = randomUUID();
  return {
    ExecutedVersion: "$LATEST",
    Payload: payload,
    SdkHttpMetadata: {
      HttpHeaders: { "Content-Type": "application/json", "X-Amz-Executed-Version": "$LATEST" },
      HttpStatusCode: 200,
    },
    SdkResponseMetadata: { RequestId: requestId },
    StatusCode: 200,
  };
}

async function runTask(
  site: TaskSite,
  input: unknown,
  taskHandlers: Readonly<Record<string, TaskHandler>>,
): Promise<unknown> {
  if (site.integration.kind !== "lambda-invoke") return invokeAsLambda(site.integration.handler, input);
  const functionName = isJsonObject(input) ? input.FunctionName : undefined;
  const handler = typeof functionName === "string" ? resolveFunction(taskHandlers, functionName) : undefined;
  if (!handler) {
    throw new TaskFailed(
      "Lambda.ResourceNotFoundException",
      `Function not found: ${String(functionName)} (Service: Lambda, Status Code: 404, Error Code: ResourceNotFoundException)`,
    );
  }
  // Without a Payload parameter Lambda receives an empty object.
  const payload = isJsonObject(input) && "Payload" in input ? input.Payload : {};
  return invokeResult(await invokeAsLambda(handler, payload));
}

export class LocalStepFunctions {
  readonly region: string;
  readonly accountId: string;
  private readonly waitTimeScale: number;
  private readonly stateMachines = new Map<string, RegisteredStateMachine>();
  private readonly executions = new Map<string, ExecutionRecord>();

  constructor(options: LocalStepFunctionsOptions = {}) {
    this.region = options.region ?? "ap-northeast-1";
    this.accountId = options.accountId ?? "000000000000";
    this.waitTimeScale = options.waitTimeScale ?? 1;
    if (!(this.waitTimeScale >= 0)) throw new Error("waitTimeScale must be a number >= 0");
  }

  /** Registers (or replaces) a state machine; running executions keep the definition they started with. */
  registerStateMachine(registration: StateMachineRegistration): string {
    if (!isValidName(registration.name)) throw new Error(`Invalid state machine name: ${registration.name}`);
    const text = substitute(registration.definition, registration.substitutions ?? {});
    const parsed: unknown = JSON.parse(text);
    if (!isJsonObject(parsed))
      throw new Error(`State machine ${registration.name}: definition is not an object`);
    const sites = collectTaskSites(parsed, registration.taskHandlers);
    // The library validates the definition as written and exposes only its own structural type.
    new StateMachine(parsed as unknown as StateMachineDefinition, {
      validationOptions: { checkArn: true, checkPaths: true },
    });
    const runnable = runnableDefinition(parsed, this.waitTimeScale);
    const interpreter = new StateMachine(runnable as unknown as StateMachineDefinition, {
      // Validated above; the scaled copy may carry fractional seconds the validator would refuse.
      validationOptions: { noValidate: true },
    });
    const arn = `arn:aws:states:${this.region}:${this.accountId}:stateMachine:${registration.name}`;
    this.stateMachines.set(arn, {
      arn,
      name: registration.name,
      interpreter,
      sites,
      taskHandlers: { ...registration.taskHandlers },
    });
    return arn;
  }

  startExecution(request: { stateMachineArn: string; name?: string; input?: string }): {
    executionArn: string;
    startDate: Date;
  } {
    const machine = this.stateMachines.get(request.stateMachineArn);
    if (!machine) {
      throw new StepFunctionsError(
        "StateMachineDoesNotExist",
        `State Machine Does Not Exist: '${request.stateMachineArn}'`,
      );
    }
    const name = request.name ?? randomUUID();
    if (!isValidName(name)) throw new StepFunctionsError("InvalidName", `Invalid Name: '${name}'`);
    const input = request.input ?? "{}";
    let parsedInput: unknown;
    try {
      parsedInput = JSON.parse(input);
    } catch {
      throw new StepFunctionsError(
        "InvalidExecutionInput",
        `Invalid State Machine Execution Input: '${input}'`,
      );
    }
    const executionArn = `arn:aws:states:${this.region}:${this.accountId}:execution:${machine.name}:${name}`;
    const existing = this.executions.get(executionArn);
    if (existing) {
      // Standard workflows: idempotent only while the first execution is open and the input is the same.
      if (existing.status === "RUNNING" && existing.input === input) {
        return { executionArn, startDate: existing.startDate };
      }
      throw new StepFunctionsError("ExecutionAlreadyExists", `Execution Already Exists: '${executionArn}'`);
    }
    const record = this.launch(machine, executionArn, name, input, parsedInput);
    this.executions.set(executionArn, record);
    return { executionArn, startDate: record.startDate };
  }

  describeExecution(executionArn: string): ExecutionDescription {
    const record = this.execution(executionArn);
    return {
      ...summaryOf(record),
      input: record.input,
      ...(record.output === undefined ? {} : { output: record.output }),
      ...(record.error === undefined ? {} : { error: record.error }),
      ...(record.cause === undefined ? {} : { cause: record.cause }),
    };
  }

  /** Newest first, as the API lists them. */
  listExecutions(request: {
    stateMachineArn: string;
    statusFilter?: ExecutionStatus;
    maxResults?: number;
    nextToken?: string;
  }): { executions: ExecutionSummary[]; nextToken?: string } {
    if (!this.stateMachines.has(request.stateMachineArn)) {
      throw new StepFunctionsError(
        "StateMachineDoesNotExist",
        `State Machine Does Not Exist: '${request.stateMachineArn}'`,
      );
    }
    const matching = [...this.executions.values()]
      .filter((record) => record.stateMachineArn === request.stateMachineArn)
      .filter((record) => request.statusFilter === undefined || record.status === request.statusFilter)
      .reverse();
    const { items, nextToken } = page(matching, request.maxResults, request.nextToken);
    return { executions: items.map(summaryOf), ...(nextToken ? { nextToken } : {}) };
  }

  getExecutionHistory(request: {
    executionArn: string;
    maxResults?: number;
    reverseOrder?: boolean;
    nextToken?: string;
    includeExecutionData?: boolean;
  }): { events: HistoryEvent[]; nextToken?: string } {
    const record = this.execution(request.executionArn);
    const ordered = request.reverseOrder ? [...record.history.events].reverse() : record.history.events;
    const { items, nextToken } = page(ordered, request.maxResults, request.nextToken);
    const events = request.includeExecutionData === false ? items.map(withoutExecutionData) : items;
    return { events, ...(nextToken ? { nextToken } : {}) };
  }

  stopExecution(request: { executionArn: string; error?: string; cause?: string }): { stopDate: Date } {
    const record = this.execution(request.executionArn);
    if (record.status !== "RUNNING") return { stopDate: record.stopDate ?? new Date() };
    record.abortDetails = {
      ...(request.error === undefined ? {} : { error: request.error }),
      ...(request.cause === undefined ? {} : { cause: request.cause }),
    };
    // Set now so a DescribeExecution right after StopExecution already sees the end.
    this.close(record, "ABORTED", record.abortDetails);
    record.abort();
    return { stopDate: record.stopDate ?? new Date() };
  }

  /** For tests and the local runner: resolves once the execution has ended and its history is complete. */
  async waitForExecution(executionArn: string): Promise<ExecutionDescription> {
    await this.execution(executionArn).finished;
    return this.describeExecution(executionArn);
  }

  /** All executions of every state machine, oldest first (for the local runner and tests). */
  listAllExecutions(): ExecutionSummary[] {
    return [...this.executions.values()].map(summaryOf);
  }

  private execution(executionArn: string): ExecutionRecord {
    if (!/^arn:aws:states:[^:]+:\d{12}:execution:[^:]+:[^:]+$/.test(executionArn)) {
      throw new StepFunctionsError("InvalidArn", `Invalid Arn: '${executionArn}'`);
    }
    const record = this.executions.get(executionArn);
    if (!record)
      throw new StepFunctionsError("ExecutionDoesNotExist", `Execution Does Not Exist: '${executionArn}'`);
    return record;
  }

  private launch(
    machine: RegisteredStateMachine,
    executionArn: string,
    name: string,
    input: string,
    parsedInput: unknown,
  ): ExecutionRecord {
    const history = new ExecutionHistory(machine.sites, this.region);
    const taskResourceLocalHandlers: TaskOverrides = {};
    for (const site of machine.sites.values()) {
      taskResourceLocalHandlers[site.stateName] = async (taskInput) => {
        const invocation = history.taskCalled(site.stateName, taskInput);
        try {
          const output = await runTask(site, taskInput, machine.taskHandlers);
          invocation.outcome = { ok: true, output, at: Date.now() };
          // Already a JSON value: `runTask` passed it through JSON.
          return output as InterpreterJson;
        } catch (error) {
          invocation.outcome = { ok: false, at: Date.now() };
          throw error;
        }
      };
    }
    const startDate = new Date();
    const run = machine.interpreter.run(parsedInput as InterpreterJson, {
      overrides: { taskResourceLocalHandlers },
      noThrowOnAbort: true,
      context: {
        Execution: {
          Id: executionArn,
          Name: name,
          RoleArn: `arn:aws:iam::${this.accountId}:role/local-stepfunctions`,
          StartTime: startDate.toISOString(),
        },
        StateMachine: { Id: machine.arn, Name: machine.name },
      },
    });
    // Outcomes are read from the event log below, which also completes the history.
    run.result.catch(() => undefined);
    const record: ExecutionRecord = {
      arn: executionArn,
      name,
      stateMachineArn: machine.arn,
      input,
      startDate,
      status: "RUNNING",
      history,
      abort: run.abort,
      finished: Promise.resolve(),
    };
    record.finished = (async () => {
      try {
        for await (const event of run.eventLogs) {
          history.record(event, record.abortDetails);
          if (event.type === "ExecutionSucceeded")
            this.close(record, "SUCCEEDED", { output: JSON.stringify(event.output) });
          if (event.type === "ExecutionFailed") {
            const cause = typeof event.Cause === "string" ? event.Cause : JSON.stringify(event.Cause ?? null);
            this.close(record, "FAILED", { error: event.Error, cause });
          }
          if (event.type === "ExecutionTimeout") this.close(record, "TIMED_OUT", {});
          if (event.type === "ExecutionAborted") this.close(record, "ABORTED", record.abortDetails ?? {});
        }
      } catch (error) {
        this.close(record, "FAILED", { error: "States.Runtime", cause: String(error) });
      }
    })();
    return record;
  }

  /** The first end wins: after an abort the interpreter may still report the state it was in. */
  private close(
    record: ExecutionRecord,
    status: Exclude<ExecutionStatus, "RUNNING">,
    outcome: { output?: string; error?: string; cause?: string },
  ): void {
    if (record.status !== "RUNNING") return;
    record.status = status;
    record.stopDate = new Date();
    if (outcome.output !== undefined) record.output = outcome.output;
    if (outcome.error !== undefined) record.error = outcome.error;
    if (outcome.cause !== undefined) record.cause = outcome.cause;
  }
}

function summaryOf(record: ExecutionRecord): ExecutionSummary {
  return {
    executionArn: record.arn,
    stateMachineArn: record.stateMachineArn,
    name: record.name,
    status: record.status,
    startDate: record.startDate,
    ...(record.stopDate ? { stopDate: record.stopDate } : {}),
  };
}

/** `includeExecutionData: false` drops inputs and outputs, keeping the rest of each event. */
function withoutExecutionData(event: HistoryEvent): HistoryEvent {
  if (!event.details) return event;
  const dataKeys = new Set(["input", "output", "parameters"]);
  const value = Object.fromEntries(Object.entries(event.details.value).filter(([key]) => !dataKeys.has(key)));
  return { ...event, details: { key: event.details.key, value } };
}

export function createLocalStepFunctions(options: LocalStepFunctionsOptions = {}): LocalStepFunctions {
  return new LocalStepFunctions(options);
}
