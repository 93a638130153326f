import { Hono } from "hono";
import { z } from "zod";
import { type RunningServer, serveApp } from "../emulation/serve";
import type { HistoryEvent } from "./history";
import { type ExecutionSummary, type LocalStepFunctions, StepFunctionsError } from "./service";

/**
 * The Step Functions API over the AWS JSON 1.0 protocol (`POST /`, `X-Amz-Target:
 * AWSStepFunctions.<Action>`), so `SFNClient` works with only an `endpoint` override.
 */

const CONTENT_TYPE = "application/x-amz-json-1.0";

const statusSchema = z.enum(["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"]);

const requests = {
  StartExecution: z.object({
    stateMachineArn: z.string(),
    name: z.string().optional(),
    input: z.string().optional(),
    traceHeader: z.string().optional(),
  }),
  DescribeExecution: z.object({ executionArn: z.string() }),
  ListExecutions: z.object({
    stateMachineArn: z.string(),
    statusFilter: statusSchema.optional(),
    maxResults: z.number().int().optional(),
    nextToken: z.string().optional(),
  }),
  GetExecutionHistory: z.object({
    executionArn: z.string(),
    maxResults: z.number().int().optional(),
    reverseOrder: z.boolean().optional(),
    nextToken: z.string().optional(),
    includeExecutionData: z.boolean().optional(),
  }),
  StopExecution: z.object({
    executionArn: z.string(),
    error: z.string().optional(),
    cause: z.string().optional(),
  }),
};

type Action = keyof typeof requests;

function isAction(name: string): name is Action {
  return Object.hasOwn(requests, name);
}

/** The JSON protocol sends timestamps as epoch seconds. */
function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}

function summaryJson(summary: ExecutionSummary) {
  return {
    ...summary,
    startDate: epochSeconds(summary.startDate),
    ...(summary.stopDate ? { stopDate: epochSeconds(summary.stopDate) } : {}),
  };
}

function eventJson(event: HistoryEvent) {
  return {
    id: event.id,
    previousEventId: event.previousEventId,
    timestamp: epochSeconds(event.timestamp),
    type: event.type,
    ...(event.details ? { [event.details.key]: event.details.value } : {}),
  };
}

function handle(service: LocalStepFunctions, action: Action, body: unknown): unknown {
  switch (action) {
    case "StartExecution": {
      const request = parse(requests.StartExecution, body);
      const started = service.startExecution(request);
      return { executionArn: started.executionArn, startDate: epochSeconds(started.startDate) };
    }
    case "DescribeExecution": {
      const description = service.describeExecution(parse(requests.DescribeExecution, body).executionArn);
      return {
        ...summaryJson(description),
        input: description.input,
        inputDetails: { included: true },
        ...(description.output === undefined
          ? {}
          : { output: description.output, outputDetails: { included: true } }),
        ...(description.error === undefined ? {} : { error: description.error }),
        ...(description.cause === undefined ? {} : { cause: description.cause }),
        redriveCount: 0,
        redriveStatus: "NOT_REDRIVABLE",
      };
    }
    case "ListExecutions": {
      const listed = service.listExecutions(parse(requests.ListExecutions, body));
      return { executions: listed.executions.map(summaryJson), nextToken: listed.nextToken };
    }
    case "GetExecutionHistory": {
      const history = service.getExecutionHistory(parse(requests.GetExecutionHistory, body));
      return { events: history.events.map(eventJson), nextToken: history.nextToken };
    }
    case "StopExecution": {
      const stopped = service.stopExecution(parse(requests.StopExecution, body));
      return { stopDate: epochSeconds(stopped.stopDate) };
    }
  }
}

function parse<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new StepFunctionsError("ValidationException", z.prettifyError(parsed.error));
  return parsed.data;
}

export function createStepFunctionsApp(service: LocalStepFunctions): Hono {
  const app = new Hono();
  app.post("/", async (c) => {
    const reply = (status: 200 | 400 | 500, payload: unknown) =>
      c.body(JSON.stringify(payload), status, { "Content-Type": CONTENT_TYPE });
    const target = c.req.header("x-amz-target") ?? "";
    const [prefix, action = ""] = target.split(".");
    if (prefix !== "AWSStepFunctions" || !isAction(action)) {
      return reply(400, { __type: "UnknownOperationException", message: `Unsupported operation: ${target}` });
    }
    try {
      const text = await c.req.text();
      let body: unknown;
      try {
        body = text === "" ? {} : JSON.parse(text);
      } catch {
        throw new StepFunctionsError("SerializationException", "Request body is not valid JSON");
      }
      return reply(200, handle(service, action, body));
    } catch (error) {
      if (error instanceof StepFunctionsError)
        return reply(400, { __type: error.type, message: error.message });
      // The SDK treats 5xx as retryable; the message stays generic as on AWS.
      console.error("local Step Functions: unexpected error", error);
      return reply(500, { __type: "InternalFailure", message: "An internal error occurred" });
    }
  });
  return app;
}

export async function startLocalStepFunctionsServer(options: {
  port: number;
  service: LocalStepFunctions;
}): Promise<RunningServer> {
  return serveApp(createStepFunctionsApp(options.service), options.port);
}
