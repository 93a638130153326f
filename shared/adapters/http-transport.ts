import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";

/**
 * A small HTTP/1.1 client for adapters that send a few small JSON requests per invocation (the
 * Smaregi client): Node's `http`/`https` over kept-alive connections. `fetch` does the same work
 * through WHATWG streams, abort signals made transferable and a request/response object model:
 * about 0.2 ms of CPU per call on a warm process against ~0.03 ms here, on a path where the POS is
 * read twice per balance read.
 *
 * What it keeps of `fetch`'s behaviour: the request's signal aborts it, headers and body included,
 * and rejects with the signal's reason (a `TimeoutError` for `AbortSignal.timeout`); a connection
 * that cannot be made rejects with Node's error, whose `code` says so (`ECONNREFUSED`); a body cut
 * off rejects `text()`; `text()` decodes UTF-8 and drops a byte-order mark. What it does not do:
 * follow redirects (an answer is returned as it comes, 3xx included), decompress (it asks for none),
 * or add headers of its own beyond `Host`, `Connection` and `Content-Length`.
 */

/** What an adapter reads of an answer. A WHATWG `Response` has all of it. */
export interface HttpAnswer {
  readonly status: number;
  readonly ok: boolean;
  readonly headers: { get(name: string): string | null };
  /** The whole body as text; rejects when the body breaks off or the signal aborts. */
  text(): Promise<string>;
  /** Discards the body unread. */
  readonly body: { cancel(): Promise<void> } | null;
}

export interface HttpRequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

/** Sends one request. `fetch` is one too, so tests can hand an adapter a wrapped `fetch`. */
export type HttpTransport = (url: string, init: HttpRequestInit) => Promise<HttpAnswer>;

/**
 * Idle connections are closed after 4 s, or sooner if the server's `Keep-Alive` says so (Node's
 * agent reads it), as `fetch` does: a connection the server has dropped is rarely reused.
 */
const IDLE_SOCKET_MS = 4_000;
const agents = {
  "http:": new HttpAgent({ keepAlive: true, timeout: IDLE_SOCKET_MS }),
  "https:": new HttpsAgent({ keepAlive: true, timeout: IDLE_SOCKET_MS }),
};

const utf8 = new TextDecoder("utf-8");

/** The default transport: `node:http` or `node:https` by the URL's scheme. */
export const sendHttp: HttpTransport = (url, init) =>
  new Promise<HttpAnswer>((resolve, reject) => {
    const { signal } = init;
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const target = new URL(url);
    if (target.protocol !== "https:" && target.protocol !== "http:") {
      reject(new TypeError(`Unsupported URL scheme: ${target.protocol}`));
      return;
    }
    const agent = agents[target.protocol];
    const send = target.protocol === "https:" ? httpsRequest : httpRequest;
    const request = send(target, { method: init.method ?? "GET", headers: init.headers ?? {}, agent });
    let answer: IncomingMessage | undefined;
    const onAbort = () => {
      // Before the answer: the request fails; during the body: `text()` fails.
      if (answer) answer.destroy(signal?.reason);
      else request.destroy(signal?.reason);
    };
    const done = () => signal?.removeEventListener("abort", onAbort);
    signal?.addEventListener("abort", onAbort, { once: true });
    // `on`, not `once`: a socket can fail again after the first error, and an unheard error throws.
    request.on("error", (error) => {
      done();
      reject(error);
    });
    request.once("response", (response) => {
      answer = response;
      const status = response.statusCode ?? 0;
      let consumed = false;
      const consume = () => {
        if (consumed) throw new TypeError("The body has already been read");
        consumed = true;
      };
      resolve({
        status,
        ok: status >= 200 && status <= 299,
        headers: {
          get: (name) => {
            const value = response.headers[name.toLowerCase()];
            return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
          },
        },
        text: () => {
          consume();
          return new Promise<string>((resolveText, rejectText) => {
            const chunks: Buffer[] = [];
            response.on("data", (chunk: Buffer) => chunks.push(chunk));
            response.on("error", (error) => {
              done();
              rejectText(error);
            });
            response.once("close", () => {
              done();
              if (response.complete) resolveText(utf8.decode(Buffer.concat(chunks)));
              else rejectText(signal?.aborted ? signal.reason : new Error("The answer broke off"));
            });
          });
        },
        body: {
          cancel: () => {
            if (consumed) return Promise.resolve();
            consumed = true;
            // Read to the end and drop it, so the connection can carry the next request.
            return new Promise<void>((resolveCancel) => {
              const settled = () => {
                done();
                resolveCancel();
              };
              response.once("end", settled);
              response.once("close", settled);
              response.on("error", settled);
              response.resume();
            });
          },
        },
      });
    });
    request.end(init.body);
  });
