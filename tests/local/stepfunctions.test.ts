import { readFileSync } from "node:fs";
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
} from "@aws-sdk/client-sfn";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../infra/local/emulation/serve";
import {
  createLocalStepFunctions,
  type LocalStepFunctions,
  startLocalStepFunctionsServer,
  type TaskHandler,
} from "../../infra/local/stepfunctions";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8");
const definition = fixture("sfn-mini-saga.asl.json");

const fn = (name: string) => `arn:aws:lambda:ap-northeast-1:000000000000:function:${name}`;

class PosDeclined extends Error {
  override name = "PosDeclined";
}
class PosUnavailable extends Error {
  override name = "PosUnavailable";
}
class PosTimeout extends Error {
  override name = "PosTimeout";
}

interface Handlers {
  checkBalance: TaskHandler;
  createCoupon: TaskHandler;
  deductPoints: TaskHandler;
  deleteCoupon: TaskHandler;
}

/** Records every call so tests can count attempts and read the events a function received. */
function recording(handlers: Partial<Handlers>) {
  const calls: Record<keyof Handlers, { event: unknown; at: number }[]> = {
    checkBalance: [],
    createCoupon: [],
    deductPoints: [],
    deleteCoupon: [],
  };
  const defaults: Handlers = {
    checkBalance: async () => ({ balance: 1200 }),
    createCoupon: async () => ({ code: "70934-AB12CD-500" }),
    deductPoints: async () => ({ deducted: true }),
    deleteCoupon: async () => ({ deleted: true }),
  };
  const wrap =
    (key: keyof Handlers): TaskHandler =>
    async (event) => {
      calls[key].push({ event, at: Date.now() });
      return (handlers[key] ?? defaults[key])(event);
    };
  return {
    calls,
    taskHandlers: {
      [fn("check-balance")]: wrap("checkBalance"),
      [fn("create-coupon")]: wrap("createCoupon"),
      [fn("deduct-points")]: wrap("deductPoints"),
      [fn("delete-coupon")]: wrap("deleteCoupon"),
    },
  };
}

const substitutions = {
  CheckBalanceFunctionArn: fn("check-balance"),
  CreateCouponFunctionArn: fn("create-coupon"),
  DeductPointsFunctionArn: fn("deduct-points"),
  DeleteCouponFunctionArn: fn("delete-coupon"),
};

let service: LocalStepFunctions;
let server: RunningServer;
let client: SFNClient;
let machineCount = 0;

/** Each test gets its own state machine so executions and call counts never mix. */
function register(handlers: Partial<Handlers> = {}) {
  const recorder = recording(handlers);
  machineCount += 1;
  const stateMachineArn = service.registerStateMachine({
    name: `mini-saga-${machineCount}`,
    definition,
    substitutions,
    taskHandlers: recorder.taskHandlers,
  });
  return { stateMachineArn, calls: recorder.calls };
}

function gate() {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

const types = (events: HistoryEvent[] | undefined) => (events ?? []).map((event) => event.type);

beforeAll(async () => {
  // 1 s retry intervals become 20 ms; backoff still doubles them.
  service = createLocalStepFunctions({ waitTimeScale: 0.02 });
  server = await startLocalStepFunctionsServer({ port: 0, service });
  client = new SFNClient({
    endpoint: server.url,
    region: "ap-northeast-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
});

afterAll(async () => {
  client.destroy();
  await server.close();
});

describe("local Step Functions endpoint", () => {
  it("runs a conversion to success and reports it through Describe, List and History", async () => {
    // Prepare
    const { stateMachineArn, calls } = register();
    const input = JSON.stringify({ conversionId: "conv-ok", points: 500 });

    // Act
    const started = await client.send(new StartExecutionCommand({ stateMachineArn, name: "conv-ok", input }));
    await service.waitForExecution(started.executionArn ?? "");
    const described = await client.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    const listed = await client.send(new ListExecutionsCommand({ stateMachineArn }));
    const history = await client.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn }));

    // Assess
    expect(started.executionArn).toBe(
      "arn:aws:states:ap-northeast-1:000000000000:execution:mini-saga-1:conv-ok",
    );
    expect(started.startDate).toBeInstanceOf(Date);
    expect(described).toMatchObject({ status: "SUCCEEDED", name: "conv-ok", input, stateMachineArn });
    expect(described.stopDate?.getTime()).toBeGreaterThanOrEqual(described.startDate?.getTime() ?? Infinity);
    expect(JSON.parse(described.output ?? "null")).toEqual({
      conversionId: "conv-ok",
      points: 500,
      prepared: { balance: 1200, code: "70934-AB12CD-500" },
      deduction: { deducted: true },
    });
    expect(listed.executions?.map((execution) => [execution.name, execution.status])).toEqual([
      ["conv-ok", "SUCCEEDED"],
    ]);
    // The `lambda:invoke` integration hands the function its Payload, not the Parameters.
    expect(calls.createCoupon[0]?.event).toEqual({ conversionId: "conv-ok", points: 500 });

    const events = history.events ?? [];
    expect(events.map((event) => event.id)).toEqual(events.map((_, index) => index + 1));
    expect(events.map((event) => event.previousEventId)).toEqual(events.map((_, index) => index));
    expect(types(events)[0]).toBe("ExecutionStarted");
    expect(types(events).at(-1)).toBe("ExecutionSucceeded");
    expect(types(events)).toEqual(
      expect.arrayContaining([
        "ParallelStateEntered",
        "ParallelStateStarted",
        "LambdaFunctionScheduled",
        "LambdaFunctionStarted",
        "LambdaFunctionSucceeded",
        "TaskScheduled",
        "TaskStarted",
        "TaskSucceeded",
        "ParallelStateSucceeded",
        "ParallelStateExited",
        "ChoiceStateEntered",
        "SucceedStateEntered",
      ]),
    );
    const deduct = types(events).indexOf("TaskStateEntered", types(events).indexOf("ParallelStateExited"));
    expect(events[deduct]?.stateEnteredEventDetails?.name).toBe("DeductPoints");
    expect(types(events).slice(deduct, deduct + 5)).toEqual([
      "TaskStateEntered",
      "LambdaFunctionScheduled",
      "LambdaFunctionStarted",
      "LambdaFunctionSucceeded",
      "TaskStateExited",
    ]);
    expect(events[deduct + 1]?.lambdaFunctionScheduledEventDetails?.resource).toBe(fn("deduct-points"));
    expect(JSON.parse(events[deduct + 3]?.lambdaFunctionSucceededEventDetails?.output ?? "null")).toEqual({
      deducted: true,
    });
    const scheduled = events.find((event) => event.type === "TaskScheduled")?.taskScheduledEventDetails;
    expect(scheduled).toMatchObject({ resourceType: "lambda", resource: "invoke", region: "ap-northeast-1" });
    expect(JSON.parse(scheduled?.parameters ?? "null")).toMatchObject({ FunctionName: fn("create-coupon") });
    const invoked = events.find((event) => event.type === "TaskSucceeded")?.taskSucceededEventDetails;
    expect(JSON.parse(invoked?.output ?? "null")).toMatchObject({
      Payload: { code: "70934-AB12CD-500" },
      StatusCode: 200,
    });
    expect(events[0]?.timestamp).toBeInstanceOf(Date);
  });

  it("pages history in reverse order with maxResults and nextToken", async () => {
    // Prepare
    const { stateMachineArn } = register();
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, input: "{}" }));
    await service.waitForExecution(executionArn ?? "");
    const all = await client.send(new GetExecutionHistoryCommand({ executionArn }));

    // Act
    const first = await client.send(
      new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 3 }),
    );
    const second = await client.send(
      new GetExecutionHistoryCommand({
        executionArn,
        reverseOrder: true,
        maxResults: 3,
        nextToken: first.nextToken,
      }),
    );

    // Assess
    const ids = (all.events ?? []).map((event) => event.id).reverse();
    expect(first.events?.map((event) => event.id)).toEqual(ids.slice(0, 3));
    expect(second.events?.map((event) => event.id)).toEqual(ids.slice(3, 6));
    expect(executionArn?.split(":").at(-1)).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("treats the same name and input as the same execution, and a different input as a conflict", async () => {
    // Prepare
    const hold = gate();
    const { stateMachineArn, calls } = register({
      checkBalance: async () => {
        await hold.opened;
        return { balance: 1200 };
      },
    });
    const input = JSON.stringify({ conversionId: "conv-same" });

    // Act
    const first = await client.send(new StartExecutionCommand({ stateMachineArn, name: "conv-same", input }));
    const again = await client.send(new StartExecutionCommand({ stateMachineArn, name: "conv-same", input }));
    const conflicting = client.send(
      new StartExecutionCommand({ stateMachineArn, name: "conv-same", input: JSON.stringify({ other: 1 }) }),
    );
    await expect(conflicting).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    hold.open();
    await service.waitForExecution(first.executionArn ?? "");
    // On AWS the idempotent answer holds only while the first execution is open.
    const afterClose = client.send(new StartExecutionCommand({ stateMachineArn, name: "conv-same", input }));

    // Assess
    expect(again.executionArn).toBe(first.executionArn);
    expect(again.startDate?.getTime()).toBe(first.startDate?.getTime());
    await expect(afterClose).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    expect(calls.checkBalance).toHaveLength(1);
    expect(calls.deductPoints).toHaveLength(1);
    const listed = await client.send(new ListExecutionsCommand({ stateMachineArn }));
    expect(listed.executions).toHaveLength(1);
  });

  it("retries a named error exactly MaxAttempts times, waiting with backoff", async () => {
    // Prepare: fails twice, then answers.
    const { stateMachineArn, calls } = register({
      checkBalance: async () => {
        if (calls.checkBalance.length <= 2) throw new PosUnavailable("POS busy");
        return { balance: 900 };
      },
    });

    // Act
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, input: "{}" }));
    const result = await service.waitForExecution(executionArn ?? "");
    const history = await client.send(new GetExecutionHistoryCommand({ executionArn }));

    // Assess
    expect(result.status).toBe("SUCCEEDED");
    expect(calls.checkBalance).toHaveLength(3);
    const [firstCall, secondCall, thirdCall] = calls.checkBalance.map((call) => call.at);
    // IntervalSeconds 1 and BackoffRate 2 scaled by 0.02: 20 ms, then 40 ms.
    expect((secondCall ?? 0) - (firstCall ?? 0)).toBeGreaterThanOrEqual(18);
    expect((thirdCall ?? 0) - (secondCall ?? 0)).toBeGreaterThanOrEqual(38);
    const failed = (history.events ?? []).filter((event) => event.type === "LambdaFunctionFailed");
    expect(failed).toHaveLength(2);
    expect(failed[0]?.lambdaFunctionFailedEventDetails?.error).toBe("PosUnavailable");
    expect(types(history.events).filter((type) => type === "LambdaFunctionScheduled")).toHaveLength(3 + 1);
  });

  it("stops retrying after MaxAttempts and hands the error to the enclosing Catch", async () => {
    // Prepare
    const { stateMachineArn, calls } = register({
      checkBalance: async () => {
        throw new PosUnavailable("POS down");
      },
    });

    // Act
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, input: "{}" }));
    const result = await service.waitForExecution(executionArn ?? "");

    // Assess: 1 attempt + MaxAttempts 2 retries; the Parallel's Catch re-raises it through a Fail state.
    expect(calls.checkBalance).toHaveLength(3);
    expect(calls.deductPoints).toHaveLength(0);
    expect(result.status).toBe("FAILED");
    expect(result.error).toBe("PosUnavailable");
    expect(JSON.parse(result.cause ?? "null")).toMatchObject({
      errorType: "PosUnavailable",
      errorMessage: "POS down",
    });
  });

  it("routes a named error to its Catch with a Lambda-style Cause", async () => {
    // Prepare
    const { stateMachineArn, calls } = register({
      deductPoints: async () => {
        throw new PosDeclined("insufficient points");
      },
    });

    // Act
    const { executionArn } = await client.send(
      new StartExecutionCommand({
        stateMachineArn,
        input: JSON.stringify({ conversionId: "conv-declined" }),
      }),
    );
    await service.waitForExecution(executionArn ?? "");
    const described = await client.send(new DescribeExecutionCommand({ executionArn }));

    // Assess: `States.StringToJson($.error.Cause)` yields what the Lambda runtime reported.
    expect(calls.deductPoints).toHaveLength(1);
    expect(calls.deleteCoupon).toHaveLength(1);
    expect(calls.deleteCoupon[0]?.event).toMatchObject({
      conversionId: "conv-declined",
      reason: { errorType: "PosDeclined", errorMessage: "insufficient points" },
    });
    expect(described).toMatchObject({
      status: "FAILED",
      error: "ConversionDeclined",
      cause: "the POS declined the deduction",
    });
  });

  it("surfaces an uncaught task error and a Choice default in DescribeExecution", async () => {
    // Prepare
    const timedOut = register({
      deductPoints: async () => {
        throw new PosTimeout("no answer from the POS");
      },
    });
    const notDeducted = register({ deductPoints: async () => ({ deducted: false }) });

    // Act
    const first = await client.send(new StartExecutionCommand({ stateMachineArn: timedOut.stateMachineArn }));
    const second = await client.send(
      new StartExecutionCommand({ stateMachineArn: notDeducted.stateMachineArn }),
    );
    await service.waitForExecution(first.executionArn ?? "");
    await service.waitForExecution(second.executionArn ?? "");
    const failed = await client.send(new DescribeExecutionCommand({ executionArn: first.executionArn }));
    const declined = await client.send(new DescribeExecutionCommand({ executionArn: second.executionArn }));
    const history = await client.send(new GetExecutionHistoryCommand({ executionArn: first.executionArn }));
    const succeededOnly = await client.send(
      new ListExecutionsCommand({ stateMachineArn: timedOut.stateMachineArn, statusFilter: "SUCCEEDED" }),
    );

    // Assess
    expect(failed.status).toBe("FAILED");
    expect(failed.error).toBe("PosTimeout");
    expect(JSON.parse(failed.cause ?? "null")).toMatchObject({
      errorType: "PosTimeout",
      errorMessage: "no answer from the POS",
      trace: expect.any(Array),
    });
    expect(failed.output).toBeUndefined();
    expect(timedOut.calls.deleteCoupon).toHaveLength(0);
    expect(types(history.events).slice(-2)).toEqual(["LambdaFunctionFailed", "ExecutionFailed"]);
    expect(history.events?.at(-1)?.executionFailedEventDetails).toMatchObject({ error: "PosTimeout" });
    expect(declined).toMatchObject({ status: "FAILED", error: "NotDeducted" });
    expect(succeededOnly.executions).toEqual([]);
  });

  it("stops a running execution", async () => {
    // Prepare
    const hold = gate();
    const { stateMachineArn } = register({
      deductPoints: async () => {
        await hold.opened;
        return { deducted: true };
      },
    });
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn }));

    // Act
    await client.send(new StopExecutionCommand({ executionArn, error: "Operator", cause: "test stop" }));
    const described = await client.send(new DescribeExecutionCommand({ executionArn }));
    hold.open();
    await service.waitForExecution(executionArn ?? "");
    const history = await client.send(new GetExecutionHistoryCommand({ executionArn }));

    // Assess
    expect(described.status).toBe("ABORTED");
    expect(history.events?.at(-1)).toMatchObject({
      type: "ExecutionAborted",
      executionAbortedEventDetails: { error: "Operator", cause: "test stop" },
    });
    const after = await client.send(new DescribeExecutionCommand({ executionArn }));
    expect(after.status).toBe("ABORTED");
  });

  it("runs Map iterations, scales Wait and reports a Task timeout caught by States.Timeout", async () => {
    // Prepare
    const notified: unknown[] = [];
    const stateMachineArn = service.registerStateMachine({
      name: "map-wait-timeout",
      definition: fixture("sfn-map-wait-timeout.asl.json"),
      substitutions: { SlowFunctionArn: fn("slow") },
      taskHandlers: {
        [fn("notify")]: async (event) => {
          notified.push(event);
          return { sent: true };
        },
        [fn("slow")]: () => new Promise((resolve) => setTimeout(() => resolve({ late: true }), 1200)),
      },
    });
    // `lambda:invoke` accepts a bare function name as well as an ARN.
    const input = {
      recipients: [
        { function: "notify", to: "a" },
        { function: fn("notify"), to: "b" },
      ],
    };
    const startedAt = Date.now();

    // Act
    const { executionArn } = await client.send(
      new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }),
    );
    const result = await service.waitForExecution(executionArn ?? "");
    const elapsed = Date.now() - startedAt;
    const history = await client.send(new GetExecutionHistoryCommand({ executionArn }));

    // Assess: the 5 s Wait took 100 ms, the 1 s task timeout stayed real.
    expect(result.status).toBe("SUCCEEDED");
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    expect(elapsed).toBeLessThan(3000);
    expect(notified).toEqual(input.recipients);
    const output = JSON.parse(result.output ?? "null");
    expect(output.notified).toEqual([{ sent: true }, { sent: true }]);
    expect(output.timeout).toMatchObject({ Error: "States.Timeout" });
    expect(types(history.events).filter((type) => type === "MapIterationSucceeded")).toHaveLength(2);
    expect(types(history.events)).toEqual(
      expect.arrayContaining([
        "MapStateEntered",
        "MapStateStarted",
        "MapIterationStarted",
        "MapStateSucceeded",
        "MapStateExited",
        "WaitStateEntered",
        "WaitStateExited",
        "LambdaFunctionTimedOut",
        "PassStateEntered",
      ]),
    );
    const timedOut = history.events?.find((event) => event.type === "LambdaFunctionTimedOut");
    expect(timedOut?.lambdaFunctionTimedOutEventDetails?.error).toBe("States.Timeout");
  });

  it("answers unknown state machines and executions with the API's errors", async () => {
    // Act
    const start = client.send(
      new StartExecutionCommand({
        stateMachineArn: "arn:aws:states:ap-northeast-1:000000000000:stateMachine:missing",
      }),
    );
    const describeMissing = client.send(
      new DescribeExecutionCommand({
        executionArn: "arn:aws:states:ap-northeast-1:000000000000:execution:missing:nope",
      }),
    );

    // Assess
    await expect(start).rejects.toBeInstanceOf(StateMachineDoesNotExist);
    await expect(describeMissing).rejects.toBeInstanceOf(ExecutionDoesNotExist);
  });

  it("refuses at registration a Task without a handler or a placeholder without a substitution", () => {
    // Act and assess
    expect(() =>
      service.registerStateMachine({ name: "broken", definition, substitutions, taskHandlers: {} }),
    ).toThrow(/has no handler/);
    expect(() =>
      service.registerStateMachine({ name: "broken", definition, substitutions: {}, taskHandlers: {} }),
    ).toThrow(/CheckBalanceFunctionArn/);
  });
});
