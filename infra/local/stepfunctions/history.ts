import type { HistoryEventType } from "@aws-sdk/client-sfn";
import type { StateMachine } from "aws-local-stepfunctions";
import { type JsonObject, splitServiceResource, type TaskSite } from "./definition";

/**
 * Execution history in the shape of GetExecutionHistory, built from the interpreter's event log.
 * The interpreter logs states, retries and catches but not the calls a Task makes, so the task
 * wrapper reports each call here and the builder places it between the state's own events, as the
 * real service does (LambdaFunction* for a function ARN resource, Task* for `lambda:invoke`).
 */

export type InterpreterEvent =
  ReturnType<StateMachine["run"]>["eventLogs"] extends AsyncGenerator<infer E> ? E : never;

type StateType = Extract<InterpreterEvent, { type: "StateEntered" }>["state"]["type"];

const enteredEvent: Record<StateType, HistoryEventType> = {
  Task: "TaskStateEntered",
  Parallel: "ParallelStateEntered",
  Map: "MapStateEntered",
  Pass: "PassStateEntered",
  Wait: "WaitStateEntered",
  Choice: "ChoiceStateEntered",
  Succeed: "SucceedStateEntered",
  Fail: "FailStateEntered",
};

/** A Fail state never exits: the execution fails. */
const exitedEvent: Record<Exclude<StateType, "Fail">, HistoryEventType> = {
  Task: "TaskStateExited",
  Parallel: "ParallelStateExited",
  Map: "MapStateExited",
  Pass: "PassStateExited",
  Wait: "WaitStateExited",
  Choice: "ChoiceStateExited",
  Succeed: "SucceedStateExited",
};

export interface HistoryEvent {
  readonly id: number;
  readonly previousEventId: number;
  readonly timestamp: Date;
  readonly type: HistoryEventType;
  /** The `<type>EventDetails` member, e.g. `stateEnteredEventDetails`. */
  readonly details?: { readonly key: string; readonly value: JsonObject };
}

export interface TaskInvocation {
  readonly stateName: string;
  /** What the integration was called with: the Lambda event, or the `lambda:invoke` parameters. */
  readonly input: unknown;
  readonly startedAt: number;
  outcome?: { ok: true; output: unknown; at: number } | { ok: false; at: number };
}

export interface AbortDetails {
  error?: string;
  cause?: string;
}

const notTruncated = { truncated: false };

function json(value: unknown): string {
  return JSON.stringify(value ?? null);
}

function text(value: unknown): string {
  return typeof value === "string" ? value : json(value);
}

/** `ErrorEquals` names of a timeout: the real service reports it as *TimedOut, not *Failed. */
const TIMEOUT_ERROR = "States.Timeout";

export class ExecutionHistory {
  readonly events: HistoryEvent[] = [];
  /** Calls made by the task wrapper whose state event the log has not delivered yet. */
  private readonly announced = new Map<string, TaskInvocation[]>();
  /** Calls already placed in the history, waiting for their state's outcome. */
  private readonly open = new Map<string, TaskInvocation[]>();

  constructor(
    private readonly sites: ReadonlyMap<string, TaskSite>,
    private readonly region: string,
  ) {}

  /** Called by the task wrapper the moment the interpreter calls it. */
  taskCalled(stateName: string, input: unknown): TaskInvocation {
    const invocation: TaskInvocation = { stateName, input, startedAt: Date.now() };
    queueOf(this.announced, stateName).push(invocation);
    return invocation;
  }

  /** Records one interpreter event; `abort` supplies the error and cause given to StopExecution. */
  record(event: InterpreterEvent, abort: AbortDetails = {}): void {
    const at = event.timestamp;
    switch (event.type) {
      case "ExecutionStarted":
        this.push("ExecutionStarted", at, "executionStartedEventDetails", {
          input: json(event.input),
          inputDetails: notTruncated,
        });
        return;
      case "ExecutionSucceeded":
        this.push("ExecutionSucceeded", at, "executionSucceededEventDetails", {
          output: json(event.output),
          outputDetails: notTruncated,
        });
        return;
      case "ExecutionFailed":
        this.push("ExecutionFailed", at, "executionFailedEventDetails", {
          error: event.Error,
          cause: text(event.Cause),
        });
        return;
      case "ExecutionAborted":
        this.push("ExecutionAborted", at, "executionAbortedEventDetails", { ...abort });
        return;
      case "ExecutionTimeout":
        this.push("ExecutionTimedOut", at, "executionTimedOutEventDetails", {});
        return;
      case "StateEntered":
        this.stateEntered(event.state.name, event.state.type, event.state.input, at);
        return;
      case "StateRetried":
        if (event.state.type === "Task") this.taskScheduled(event.state.name, at);
        return;
      case "StateFailed":
        this.stateFailed(event.state.name, event.state.type, event.Error, text(event.Cause), at);
        return;
      case "StateExited":
        this.stateExited(event.state.name, event.state.type, event.state.output, at);
        return;
      case "MapIterationStarted":
        this.push("MapIterationStarted", at, "mapIterationStartedEventDetails", {
          name: event.parentState.name,
          index: event.index,
        });
        return;
      case "MapIterationSucceeded":
        this.push("MapIterationSucceeded", at, "mapIterationSucceededEventDetails", {
          name: event.parentState.name,
          index: event.index,
        });
        return;
      case "MapIterationFailed":
        this.push("MapIterationFailed", at, "mapIterationFailedEventDetails", {
          name: event.parentState.name,
          index: event.index,
        });
        return;
      // Branches have no events of their own in the real history; a Catch shows as the next state.
      case "ParallelBranchStarted":
      case "ParallelBranchSucceeded":
      case "ParallelBranchFailed":
      case "StateCaught":
        return;
    }
  }

  private stateEntered(name: string, type: StateType, input: unknown, at: number): void {
    this.push(enteredEvent[type], at, "stateEnteredEventDetails", {
      name,
      input: json(input),
      inputDetails: notTruncated,
    });
    if (type === "Task") this.taskScheduled(name, at);
    if (type === "Parallel") this.push("ParallelStateStarted", at);
    if (type === "Map") this.push("MapStateStarted", at);
  }

  private taskScheduled(name: string, at: number): void {
    const site = this.sites.get(name);
    const invocation = queueOf(this.announced, name).shift();
    // No call means the state failed before its task ran (e.g. a Parameters path did not match).
    if (!site || !invocation) return;
    queueOf(this.open, name).push(invocation);
    const scheduledAt = Math.max(at, invocation.startedAt);
    if (site.integration.kind === "lambda-arn") {
      this.push("LambdaFunctionScheduled", scheduledAt, "lambdaFunctionScheduledEventDetails", {
        resource: site.resource,
        input: json(invocation.input),
        inputDetails: notTruncated,
        ...(site.timeoutSeconds === undefined ? {} : { timeoutInSeconds: site.timeoutSeconds }),
      });
      this.push("LambdaFunctionStarted", scheduledAt);
      return;
    }
    const resource = splitServiceResource(site.resource);
    this.push("TaskScheduled", scheduledAt, "taskScheduledEventDetails", {
      ...resource,
      region: this.region,
      parameters: json(invocation.input),
      ...(site.timeoutSeconds === undefined ? {} : { timeoutInSeconds: site.timeoutSeconds }),
    });
    this.push("TaskStarted", scheduledAt, "taskStartedEventDetails", resource);
  }

  /** The open call that ended as `ok` says, else the oldest one (a timeout ends a call still running). */
  private closeInvocation(name: string, ok: boolean): TaskInvocation | undefined {
    const queue = queueOf(this.open, name);
    let index = queue.findIndex((invocation) => invocation.outcome?.ok === ok);
    if (index < 0) index = 0;
    return queue.splice(index, 1)[0];
  }

  private stateFailed(name: string, type: StateType, error: string, cause: string, at: number): void {
    if (type === "Parallel") this.push("ParallelStateFailed", at);
    if (type === "Map") this.push("MapStateFailed", at);
    if (type !== "Task") return;
    const site = this.sites.get(name);
    const invocation = this.closeInvocation(name, false);
    if (!site || !invocation) return;
    const endedAt = invocation.outcome?.at ?? at;
    const timedOut = error === TIMEOUT_ERROR;
    if (site.integration.kind === "lambda-arn") {
      this.push(
        timedOut ? "LambdaFunctionTimedOut" : "LambdaFunctionFailed",
        endedAt,
        timedOut ? "lambdaFunctionTimedOutEventDetails" : "lambdaFunctionFailedEventDetails",
        { error, cause },
      );
      return;
    }
    this.push(
      timedOut ? "TaskTimedOut" : "TaskFailed",
      endedAt,
      timedOut ? "taskTimedOutEventDetails" : "taskFailedEventDetails",
      { ...splitServiceResource(site.resource), error, cause },
    );
  }

  private stateExited(name: string, type: StateType, output: unknown, at: number): void {
    if (type === "Task") {
      const site = this.sites.get(name);
      const invocation = this.closeInvocation(name, true);
      if (site && invocation?.outcome?.ok) {
        const details = { output: json(invocation.outcome.output), outputDetails: notTruncated };
        if (site.integration.kind === "lambda-arn") {
          this.push(
            "LambdaFunctionSucceeded",
            invocation.outcome.at,
            "lambdaFunctionSucceededEventDetails",
            details,
          );
        } else {
          this.push("TaskSucceeded", invocation.outcome.at, "taskSucceededEventDetails", {
            ...splitServiceResource(site.resource),
            ...details,
          });
        }
      }
    }
    if (type === "Parallel") this.push("ParallelStateSucceeded", at);
    if (type === "Map") this.push("MapStateSucceeded", at);
    if (type === "Fail") return;
    this.push(exitedEvent[type], at, "stateExitedEventDetails", {
      name,
      output: json(output),
      outputDetails: notTruncated,
    });
  }

  private push(type: HistoryEventType, at: number, key?: string, value?: JsonObject): void {
    const previous = this.events.at(-1);
    // Events are appended as they are learned, so keep timestamps from going backwards.
    const timestamp = new Date(Math.max(at, previous?.timestamp.getTime() ?? 0));
    this.events.push({
      id: this.events.length + 1,
      previousEventId: previous?.id ?? 0,
      timestamp,
      type,
      ...(key && value ? { details: { key, value } } : {}),
    });
  }
}

function queueOf(map: Map<string, TaskInvocation[]>, name: string): TaskInvocation[] {
  let queue = map.get(name);
  if (!queue) {
    queue = [];
    map.set(name, queue);
  }
  return queue;
}
