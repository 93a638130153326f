/**
 * Reading an ASL file the way the deployed state machine sees it: CDK's `definitionSubstitutions`
 * applied, every Task state found (also inside Parallel branches and Map processors) and tied to
 * the local handler of the Lambda function it calls.
 */

/** A local stand-in for one Lambda function: receives the event, returns the payload or throws. */
export type TaskHandler = (event: unknown) => Promise<unknown>;

/** The direct integration of the `lambda:invoke` API (the "optimized" Lambda integration). */
export const LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke";

/** How a Task state reaches its code; decides the result shape and the history events. */
export type TaskIntegration =
  /** `Resource` is a function ARN: the payload is the result, history has LambdaFunction* events. */
  | { kind: "lambda-arn"; handler: TaskHandler }
  /**
   * `lambda:invoke`: the function comes from `Parameters.FunctionName` at run time, the result is
   * wrapped as `{ Payload, StatusCode, ... }`, history has Task* events.
   */
  | { kind: "lambda-invoke" }
  /** Any other resource with a handler registered under the resource itself. */
  | { kind: "other"; handler: TaskHandler };

export interface TaskSite {
  readonly stateName: string;
  readonly resource: string;
  readonly integration: TaskIntegration;
  readonly timeoutSeconds: number | undefined;
}

export type JsonObject = { [key: string]: unknown };

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Applies substitutions the way CloudFormation applies `DefinitionSubstitutions`: a plain text
 * replacement of every `${Key}`. A placeholder left over is an error here, because locally it would
 * only surface later as a Task without a handler or a wrong literal.
 */
export function substitute(definition: string, substitutions: Readonly<Record<string, string>>): string {
  const result = definition.replace(/\$\{([^}]+)\}/g, (placeholder, key: string) =>
    Object.hasOwn(substitutions, key) ? (substitutions[key] ?? placeholder) : placeholder,
  );
  const missing = [...new Set([...result.matchAll(/\$\{([^}]+)\}/g)].map((match) => match[1]))];
  if (missing.length > 0) {
    throw new Error(`State machine definition has placeholders without substitution: ${missing.join(", ")}`);
  }
  return result;
}

/** Calls `visit` for every state, including those nested in Parallel branches and Map processors. */
export function forEachState(definition: JsonObject, visit: (name: string, state: JsonObject) => void): void {
  const states = definition.States;
  if (!isJsonObject(states)) return;
  for (const [name, state] of Object.entries(states)) {
    if (!isJsonObject(state)) continue;
    visit(name, state);
    if (state.Type === "Parallel" && Array.isArray(state.Branches)) {
      for (const branch of state.Branches) if (isJsonObject(branch)) forEachState(branch, visit);
    }
    if (state.Type === "Map") {
      const processor = state.ItemProcessor ?? state.Iterator;
      if (isJsonObject(processor)) forEachState(processor, visit);
    }
  }
}

/** The function name part of a Lambda ARN (`...:function:Name[:qualifier]`), or the input itself. */
export function functionNameOf(nameOrArn: string): string {
  const match = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)/.exec(nameOrArn);
  return match?.[1] ?? nameOrArn;
}

/**
 * Finds the handler for a `FunctionName` as Lambda resolves it: a full ARN, or a bare function name
 * (the account and region of the state machine are implied).
 */
export function resolveFunction(
  taskHandlers: Readonly<Record<string, TaskHandler>>,
  functionName: string,
): TaskHandler | undefined {
  const exact = taskHandlers[functionName];
  if (exact) return exact;
  if (functionName.startsWith("arn:")) return undefined;
  const byName = Object.entries(taskHandlers).find(([arn]) => functionNameOf(arn) === functionName);
  return byName?.[1];
}

/** Ties every Task state to its handler; throws at registration rather than mid-execution. */
export function collectTaskSites(
  definition: JsonObject,
  taskHandlers: Readonly<Record<string, TaskHandler>>,
): Map<string, TaskSite> {
  const sites = new Map<string, TaskSite>();
  const seen = new Set<string>();
  const problems: string[] = [];
  forEachState(definition, (name, state) => {
    // The interpreter keys local handlers by state name, and ASL requires unique names anyway.
    if (seen.has(name)) problems.push(`state name "${name}" is used more than once`);
    seen.add(name);
    if (state.Type !== "Task") return;
    const resource = typeof state.Resource === "string" ? state.Resource : "";
    const timeoutSeconds = typeof state.TimeoutSeconds === "number" ? state.TimeoutSeconds : undefined;
    const direct = taskHandlers[resource];
    if (direct) {
      const kind = /^arn:[^:]+:lambda:/.test(resource) ? "lambda-arn" : "other";
      sites.set(name, { stateName: name, resource, integration: { kind, handler: direct }, timeoutSeconds });
      return;
    }
    if (resource === LAMBDA_INVOKE) {
      const parameters = isJsonObject(state.Parameters) ? state.Parameters : {};
      const functionName = parameters.FunctionName;
      if (typeof functionName === "string") {
        if (!resolveFunction(taskHandlers, functionName))
          problems.push(`Task "${name}" invokes ${functionName}, which has no handler`);
      } else if (typeof parameters["FunctionName.$"] !== "string") {
        problems.push(`Task "${name}" uses ${LAMBDA_INVOKE} without Parameters.FunctionName`);
      }
      sites.set(name, {
        stateName: name,
        resource,
        integration: { kind: "lambda-invoke" },
        timeoutSeconds,
      });
      return;
    }
    problems.push(`Task "${name}" has resource ${resource || "(none)"}, which has no handler`);
  });
  if (problems.length > 0) throw new Error(`Cannot run the state machine locally: ${problems.join("; ")}`);
  return sites;
}

/**
 * Step Functions has no Task timeout unless `TimeoutSeconds` is set; the interpreter defaults to
 * 60 s. Timers cannot exceed 2^31-1 ms, so "none" becomes about 24 days.
 */
const UNBOUNDED_TASK_TIMEOUT_SECONDS = 2_000_000;

/**
 * The definition the interpreter runs: waits of `Retry` (IntervalSeconds, MaxDelaySeconds) and of
 * `Wait` states with a fixed `Seconds` multiplied by `waitTimeScale`, and the AWS default of no
 * Task timeout. Scaling the definition keeps BackoffRate meaningful, which the interpreter's
 * fixed-millisecond retry overrides would not.
 */
export function runnableDefinition(definition: JsonObject, waitTimeScale: number): JsonObject {
  const copy: unknown = structuredClone(definition);
  if (!isJsonObject(copy)) throw new Error("State machine definition must be a JSON object");
  forEachState(copy, (_name, state) => {
    if (
      state.Type === "Task" &&
      state.TimeoutSeconds === undefined &&
      state.TimeoutSecondsPath === undefined
    ) {
      state.TimeoutSeconds = UNBOUNDED_TASK_TIMEOUT_SECONDS;
    }
    if (waitTimeScale === 1) return;
    if (state.Type === "Wait" && typeof state.Seconds === "number") state.Seconds *= waitTimeScale;
    if (!Array.isArray(state.Retry)) return;
    for (const retrier of state.Retry) {
      if (!isJsonObject(retrier)) continue;
      // The interpreter's default interval is 1 s, as on AWS; make it explicit before scaling.
      retrier.IntervalSeconds =
        (typeof retrier.IntervalSeconds === "number" ? retrier.IntervalSeconds : 1) * waitTimeScale;
      if (typeof retrier.MaxDelaySeconds === "number") retrier.MaxDelaySeconds *= waitTimeScale;
    }
  });
  return copy;
}

/** `arn:aws:states:::lambda:invoke` -> { resourceType: "lambda", resource: "invoke" }, as in history events. */
export function splitServiceResource(resource: string): { resourceType: string; resource: string } {
  const parts = resource.split(":");
  return { resourceType: parts[5] ?? "", resource: parts.slice(6).join(":") };
}
