import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { APIGatewayProxyResultV2, Context } from "aws-lambda";
import { importJWK, type JWK, jwtVerify } from "jose";
import type { ApiEvent } from "../../shared/http/api";
import { type FunctionName, functionMemoryMb, functions, type RouteSpec } from "../catalog";
import type { RunningServer } from "./emulation/serve";

/**
 * A local stand-in for API Gateway (HTTP API, payload format 2.0): it matches the catalog's
 * routes, builds the same event the real gateway sends, and runs the same handlers in-process.
 */

export type LambdaHandler = (event: ApiEvent, context: Context) => Promise<APIGatewayProxyResultV2>;

/** The JWT authorizer of the admin routes: an OIDC issuer's key, issuer and audience. */
export interface JwtAuthorizerOptions {
  issuer: string;
  audience: string;
  publicKey: JWK;
}

type JwtClaims = Record<string, string | number | boolean | string[]>;

/**
 * What API Gateway's JWT authorizer does: verify the bearer token, or answer 401 before any
 * function runs. Claims reach the function as strings, lists in the "[a b]" form.
 */
async function authorize(
  header: string | undefined,
  authorizer: JwtAuthorizerOptions,
  key: Awaited<ReturnType<typeof importJWK>>,
): Promise<{ claims: JwtClaims; scopes: string[] } | undefined> {
  const token = /^Bearer\s+(\S+)$/i.exec(header ?? "")?.[1];
  if (!token) return undefined;
  try {
    const { payload } = await jwtVerify(token, key, {
      issuer: authorizer.issuer,
      audience: authorizer.audience,
      algorithms: ["RS256"],
      // API Gateway refuses a token without an expiry, and one issued in the future.
      requiredClaims: ["exp"],
    });
    if (typeof payload.iat === "number" && payload.iat > Math.floor(Date.now() / 1000)) return undefined;
    const claims: JwtClaims = {};
    for (const [name, value] of Object.entries(payload)) {
      if (value === undefined || value === null) continue;
      claims[name] = Array.isArray(value)
        ? `[${value.join(" ")}]`
        : typeof value === "object"
          ? JSON.stringify(value)
          : (value as string | number | boolean);
    }
    const scope = typeof payload.scope === "string" ? payload.scope.split(" ").filter(Boolean) : [];
    return { claims, scopes: scope };
  } catch {
    return undefined;
  }
}

export interface GatewayOptions {
  port: number;
  routes: readonly RouteSpec[];
  /** Loads a function's handler (in-process); called once per function. */
  loadHandler: (name: FunctionName) => Promise<LambdaHandler>;
  /** Verifies tokens on `admin:*` routes, like the HTTP API's JWT authorizer. */
  adminAuthorizer?: JwtAuthorizerOptions;
  /** Extra routes answered by the gateway itself (e.g. /openapi.json). */
  staticRoutes?: Record<string, () => { contentType: string; body: string }>;
  /**
   * Whole path prefixes the gateway hands to a local server of their own (the staff console's
   * files, the local admin issuer); `origin` is the gateway's own `http://127.0.0.1:<port>`.
   */
  mounts?: readonly GatewayMount[];
}

export interface GatewayMount {
  /** Matched against the path: equal to it, or followed by `/`. */
  prefix: string;
  handle(request: IncomingMessage, response: ServerResponse, origin: string): Promise<void>;
}

interface CompiledRoute {
  spec: RouteSpec;
  pattern: RegExp;
  names: string[];
}

function compile(spec: RouteSpec): CompiledRoute {
  const names: string[] = [];
  const source = spec.path
    .split("/")
    .map((segment) => {
      const match = /^\{(\w+)\}$/.exec(segment);
      if (!match?.[1]) return segment.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
      names.push(match[1]);
      return "([^/]+)";
    })
    .join("/");
  return { spec, pattern: new RegExp(`^${source}$`), names };
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function lambdaContext(name: FunctionName, requestId: string, deadline: number): Context {
  const functionName = `loyalty-local-${name}`;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:ap-northeast-1:000000000000:function:${functionName}`,
    memoryLimitInMB: String(functionMemoryMb(functions[name])),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "local",
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function send(
  response: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: string | Buffer,
) {
  // With its length, as API Gateway answers: headers and body leave in one write, where Node
  // would otherwise send the body chunked, in several. A 204 or 304 has no body to measure.
  const bodiless = status === 204 || status === 304;
  const others = Object.entries(headers).filter(([name]) => name.toLowerCase() !== "content-length");
  response.writeHead(status, {
    ...Object.fromEntries(others),
    ...(bodiless ? {} : { "content-length": String(Buffer.byteLength(body)) }),
  });
  response.end(body);
}

const gatewayError = (response: ServerResponse, status: number, message: string) =>
  send(response, status, { "content-type": "application/json" }, JSON.stringify({ message }));

export async function startLocalGateway(options: GatewayOptions): Promise<RunningServer> {
  const compiled = options.routes.map(compile);
  const adminKey = options.adminAuthorizer
    ? await importJWK(options.adminAuthorizer.publicKey, "RS256")
    : undefined;
  const handlers = new Map<FunctionName, Promise<LambdaHandler>>();
  const handlerFor = (name: FunctionName) => {
    let loaded = handlers.get(name);
    if (!loaded) {
      loaded = options.loadHandler(name);
      handlers.set(name, loaded);
    }
    return loaded;
  };

  let origin = "http://127.0.0.1";
  const server = createServer(async (request, response) => {
    try {
      const url = new URL(request.url ?? "/", "http://localhost");
      const method = (request.method ?? "GET").toUpperCase();
      const mount = options.mounts?.find(
        ({ prefix }) => url.pathname === prefix || url.pathname.startsWith(`${prefix}/`),
      );
      if (mount) return await mount.handle(request, response, origin);
      const own = options.staticRoutes?.[url.pathname];
      if (own && method === "GET") {
        const { contentType, body } = own();
        return send(response, 200, { "content-type": contentType }, body);
      }
      let matched: { route: CompiledRoute; params: Record<string, string> } | undefined;
      for (const route of compiled) {
        if (route.spec.method !== method) continue;
        const match = route.pattern.exec(url.pathname);
        if (!match) continue;
        const params: Record<string, string> = {};
        let malformed = false;
        route.names.forEach((name, index) => {
          try {
            params[name] = decodeURIComponent(match[index + 1] ?? "");
          } catch {
            malformed = true;
          }
        });
        // API Gateway decodes path parameters once; a malformed escape is assumed to be its 400.
        if (malformed) return gatewayError(response, 400, "Bad Request");
        matched = { route, params };
        break;
      }
      // An HTTP API answers 404 for any request no route matches, wrong method included.
      if (!matched) return gatewayError(response, 404, "Not Found");

      const spec = matched.route.spec;
      let authorizer: { jwt: { claims: JwtClaims; scopes: string[] } } | undefined;
      if (spec.auth.startsWith("admin:")) {
        if (!options.adminAuthorizer || !adminKey) return gatewayError(response, 401, "Unauthorized");
        // API Gateway joins repeated headers with commas; Node keeps only the first Authorization.
        const authorization = request.headersDistinct.authorization?.join(",");
        const verified = await authorize(authorization, options.adminAuthorizer, adminKey);
        if (!verified) return gatewayError(response, 401, "Unauthorized");
        authorizer = { jwt: verified };
      }

      const body = await readBody(request);
      const headers: Record<string, string> = {};
      for (const [name, values] of Object.entries(request.headersDistinct)) {
        if (values === undefined) continue;
        headers[name.toLowerCase()] = values.join(",");
      }
      const query: Record<string, string> = {};
      for (const [key, value] of url.searchParams) query[key] = query[key] ? `${query[key]},${value}` : value;
      const requestId = randomUUID();
      const now = Date.now();
      const isText = /json|text|x-www-form-urlencoded/.test(headers["content-type"] ?? "json");
      const event: ApiEvent = {
        version: "2.0",
        routeKey: `${spec.method} ${spec.path}`,
        rawPath: url.pathname,
        rawQueryString: url.search.replace(/^\?/, ""),
        headers,
        ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
        ...(Object.keys(matched.params).length > 0 ? { pathParameters: matched.params } : {}),
        requestContext: {
          accountId: "000000000000",
          apiId: "local",
          domainName: headers.host ?? "localhost",
          domainPrefix: "local",
          http: {
            method,
            path: url.pathname,
            protocol: `HTTP/${request.httpVersion}`,
            sourceIp: request.socket.remoteAddress ?? "127.0.0.1",
            userAgent: headers["user-agent"] ?? "",
          },
          requestId,
          routeKey: `${spec.method} ${spec.path}`,
          stage: "$default",
          time: new Date(now).toISOString(),
          timeEpoch: now,
          ...(authorizer ? { authorizer } : {}),
        },
        ...(body.length > 0
          ? { body: isText ? body.toString("utf8") : body.toString("base64"), isBase64Encoded: !isText }
          : { isBase64Encoded: false }),
      };

      const handler = await handlerFor(spec.function);
      const timeoutMs = functions[spec.function].timeoutSeconds * 1000;
      const deadline = now + timeoutMs;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), timeoutMs);
      });
      const result = await Promise.race([
        handler(event, lambdaContext(spec.function, requestId, deadline)),
        timedOut,
      ]);
      clearTimeout(timer);
      // Like API Gateway: a function that times out or crashes becomes a bare 5xx.
      if (result === "timeout") return gatewayError(response, 503, "Service Unavailable");
      if (typeof result === "string" || result === undefined || !("statusCode" in result)) {
        return send(response, 200, { "content-type": "application/json" }, JSON.stringify(result ?? null));
      }
      const outHeaders: Record<string, string> = {};
      for (const [name, value] of Object.entries(result.headers ?? {})) outHeaders[name] = String(value);
      const payload = result.body ?? "";
      return send(
        response,
        result.statusCode ?? 200,
        outHeaders,
        result.isBase64Encoded ? Buffer.from(payload, "base64") : payload,
      );
    } catch {
      if (!response.headersSent) gatewayError(response, 500, "Internal Server Error");
    }
  });
  server.keepAliveTimeout = 65_000;

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      origin = `http://127.0.0.1:${port}`;
      resolve({
        url: `http://127.0.0.1:${port}`,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
