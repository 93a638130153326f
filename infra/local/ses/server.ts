import { randomBytes, randomUUID } from "node:crypto";
import { Hono } from "hono";
import { EmulatorControl, type LatencyTable, mountControlRoutes, runOperation } from "../emulation/control";
import { type RunningServer, serveApp } from "../emulation/serve";
import { mailboxOf, parseRawMessage, splitAddressList } from "./mime";
import { type SentEmail, SentEmails } from "./store";

/**
 * A local SES (v1 API, AWS query protocol) that accepts SendEmail and SendRawEmail from the real
 * `SESClient` with only an endpoint override, keeps every message in memory and lists it on
 * `GET /store`. Latency and faults come from the shared emulator control API.
 */

const NAMESPACE = "http://ses.amazonaws.com/doc/2010-12-01/";

const latencyProfiles: Record<string, LatencyTable> = {
  instant: {},
  /** Roughly what SES answers in from a Lambda in the same region. */
  realistic: { default: 80 },
};

type Operation = "SendEmail" | "SendRawEmail";

function xmlEscape(value: string): string {
  return value.replace(/[<>&'"]/g, (char) => `&#${char.charCodeAt(0)};`);
}

function xmlResponse(status: 200 | 400 | 500 | 503, body: string, requestId: string): Response {
  return new Response(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`, {
    status,
    headers: { "Content-Type": "text/xml", "x-amzn-RequestId": requestId },
  });
}

/** SES's error document; the SDK turns `Code` into the exception name. */
function errorResponse(status: 400 | 500 | 503, code: string, message: string): Response {
  const requestId = randomUUID();
  const type = status >= 500 ? "Receiver" : "Sender";
  return xmlResponse(
    status,
    `<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>${type}</Type><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    requestId,
  );
}

function successResponse(operation: Operation, messageId: string): Response {
  const requestId = randomUUID();
  return xmlResponse(
    200,
    `<${operation}Response xmlns="${NAMESPACE}"><${operation}Result><MessageId>${messageId}</MessageId></${operation}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`,
    requestId,
  );
}

function injectedFailure(kind: "http500" | "http503" | "throttle"): Response {
  if (kind === "throttle") return errorResponse(400, "Throttling", "Maximum sending rate exceeded.");
  if (kind === "http503")
    return errorResponse(503, "ServiceUnavailable", "Service is unavailable. Try again.");
  return errorResponse(
    500,
    "InternalFailure",
    "The request processing has failed because of an unknown error.",
  );
}

/** SES message ids look like `0106018f...-uuid-000000`. */
function messageId(): string {
  return `0106${randomBytes(6).toString("hex")}-${randomUUID()}-000000`;
}

/** Values of `Prefix.member.1`, `Prefix.member.2`, ... in order. */
function members(form: URLSearchParams, prefix: string): string[] {
  const values: string[] = [];
  for (let index = 1; form.has(`${prefix}.member.${index}`); index += 1) {
    values.push(form.get(`${prefix}.member.${index}`) ?? "");
  }
  return values;
}

class InvalidParameterValue extends Error {
  override name = "InvalidParameterValue";
}

function sendEmail(form: URLSearchParams, id: string): SentEmail {
  const from = form.get("Source") ?? "";
  if (from.trim() === "") throw new InvalidParameterValue("Missing required parameter: Source");
  const to = members(form, "Destination.ToAddresses");
  const cc = members(form, "Destination.CcAddresses");
  const bcc = members(form, "Destination.BccAddresses");
  if (to.length + cc.length + bcc.length === 0) {
    throw new InvalidParameterValue("Missing required parameter: Destination (at least one recipient)");
  }
  return {
    id,
    at: new Date().toISOString(),
    action: "SendEmail",
    from,
    to,
    cc,
    bcc,
    replyTo: members(form, "ReplyToAddresses"),
    subject: form.get("Message.Subject.Data") ?? "",
    text: form.get("Message.Body.Text.Data"),
    html: form.get("Message.Body.Html.Data"),
    raw: null,
  };
}

function sendRawEmail(form: URLSearchParams, id: string): SentEmail {
  const data = form.get("RawMessage.Data");
  if (!data) throw new InvalidParameterValue("Missing required parameter: RawMessage.Data");
  const bytes = Buffer.from(data, "base64");
  const message = parseRawMessage(bytes);
  const from = form.get("Source") || message.headers.get("from") || "";
  if (from.trim() === "") throw new InvalidParameterValue("Missing required header 'From'.");
  const to = splitAddressList(message.headers.get("to"));
  const cc = splitAddressList(message.headers.get("cc"));
  const headerBcc = splitAddressList(message.headers.get("bcc"));
  const destinations = members(form, "Destinations");
  // Envelope recipients not named in To or Cc were blind copies.
  const visible = new Set([...to, ...cc].map(mailboxOf));
  const bcc =
    destinations.length > 0 ? destinations.filter((address) => !visible.has(mailboxOf(address))) : headerBcc;
  if (destinations.length === 0 && to.length + cc.length + bcc.length === 0) {
    throw new InvalidParameterValue("Missing required parameter: Destinations or a To/Cc/Bcc header");
  }
  return {
    id,
    at: new Date().toISOString(),
    action: "SendRawEmail",
    from,
    to,
    cc,
    bcc,
    replyTo: splitAddressList(message.headers.get("reply-to")),
    subject: message.headers.get("subject") ?? "",
    text: message.text,
    html: message.html,
    raw: bytes.toString("utf8"),
  };
}

export interface LocalSes {
  app: Hono;
  control: EmulatorControl;
  emails: SentEmails;
}

export function createLocalSes(): LocalSes {
  const app = new Hono();
  const control = new EmulatorControl({}, { operations: ["SendEmail", "SendRawEmail"] });
  const emails = new SentEmails();

  app.post("/", async (c) => {
    const form = new URLSearchParams(await c.req.text());
    const action = form.get("Action");
    if (action !== "SendEmail" && action !== "SendRawEmail") {
      return errorResponse(
        400,
        "InvalidAction",
        `The action ${action ?? "(none)"} is not valid for this endpoint.`,
      );
    }
    return runOperation(control, action, c.req.raw, {
      commit: () => {
        const id = messageId();
        try {
          emails.add(action === "SendEmail" ? sendEmail(form, id) : sendRawEmail(form, id));
        } catch (error) {
          if (error instanceof InvalidParameterValue) return errorResponse(400, error.name, error.message);
          throw error;
        }
        return successResponse(action, id);
      },
      failure: injectedFailure,
    });
  });

  app.get("/store", (c) => {
    const to = c.req.query("to");
    return c.json({ emails: emails.list(to === undefined ? {} : { to }) });
  });
  app.delete("/store", (c) => {
    emails.clear();
    return c.body(null, 204);
  });
  mountControlRoutes(app, control, latencyProfiles, () => emails.clear());
  return { app, control, emails };
}

export interface LocalSesServer extends RunningServer {
  control: EmulatorControl;
  emails: SentEmails;
}

export async function startLocalSes(options: { port: number }): Promise<LocalSesServer> {
  const ses = createLocalSes();
  const server = await serveApp(ses.app, options.port);
  return Object.assign(server, { control: ses.control, emails: ses.emails });
}
