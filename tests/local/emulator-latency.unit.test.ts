import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmulatorControl, runOperation } from "../../infra/local/emulation/control";
import { type RunningServer, serveApp } from "../../infra/local/emulation/serve";

/**
 * An emulated operation answers its latency after the request reached the emulator, like the real
 * service whose measured answer time the profile holds: the emulator's own work on the request
 * (for Shopify, validating the document against the Admin schema) is inside that latency, not on
 * top of it, so the bench's floor is the latency the profile names.
 */

const LATENCY_MS = 300;
/** The emulator's own work before the operation runs, well under the latency. */
const WORK_MS = 200;

const busyFor = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // The emulator parsing and validating the request.
  }
};

function emulatorApp() {
  const control = new EmulatorControl({ default: LATENCY_MS });
  const app = new Hono();
  app.post("/operation", (c) => {
    busyFor(WORK_MS);
    return runOperation(control, "operation", c.req.raw, {
      commit: () => Response.json({ ok: true }),
      failure: () => new Response(null, { status: 500 }),
    });
  });
  return app;
}

const timed = async (answer: () => Promise<Response>) => {
  const started = performance.now();
  const response = await answer();
  await response.text();
  return { status: response.status, ms: performance.now() - started };
};

describe("an emulated operation's latency", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await serveApp(emulatorApp(), 0);
  });
  afterAll(() => server.close());

  it("counts from the request's arrival, the emulator's own work included", async () => {
    const { status, ms } = await timed(() => fetch(`${server.url}/operation`, { method: "POST" }));
    expect(status).toBe(200);
    expect(ms).toBeGreaterThanOrEqual(LATENCY_MS - 1);
    // Work and latency one after the other would take 500 ms.
    expect(ms).toBeLessThan(LATENCY_MS + WORK_MS - 50);
  });

  it("is the whole latency, after the work, for a request no server noted (an app called directly)", async () => {
    const { status, ms } = await timed(() =>
      Promise.resolve(emulatorApp().request("/operation", { method: "POST" })),
    );
    expect(status).toBe(200);
    expect(ms).toBeGreaterThanOrEqual(LATENCY_MS + WORK_MS - 1);
  });
});
