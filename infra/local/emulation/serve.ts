import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { Hono } from "hono";

export interface RunningServer {
  /** Base URL, e.g. http://127.0.0.1:3002 */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Serves a Hono app on 127.0.0.1; port 0 picks a free port (tests). */
export async function serveApp(app: Hono, port: number, host = "127.0.0.1"): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname: host }, (info: AddressInfo) => {
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
