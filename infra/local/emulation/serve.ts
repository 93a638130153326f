import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { Hono } from "hono";
import { noteArrival } from "./control";

export interface RunningServer {
  /** Base URL, e.g. http://127.0.0.1:3002 */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Serves a Hono app on 127.0.0.1; port 0 picks a free port (tests). */
export async function serveApp(app: Hono, port: number, host = "127.0.0.1"): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const fetch: typeof app.fetch = (request, ...rest) => {
      noteArrival(request);
      return app.fetch(request, ...rest);
    };
    const server = serve({ fetch, port, hostname: host }, (info: AddressInfo) => {
      resolve({
        url: `http://${host}:${info.port}`,
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            // Held-open "timeout" faults must not keep the process alive.
            if ("closeAllConnections" in server) server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
    server.once("error", reject);
  });
}
