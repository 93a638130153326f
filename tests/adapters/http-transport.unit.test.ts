import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendHttp } from "../../shared/adapters/http-transport";
import { wasNeverSent } from "../../shared/adapters/smaregi/http";

describe("the HTTP transport of the adapters", () => {
  let server: Server;
  let base: string;
  const connections = new Set<unknown>();
  const routes: Record<string, (request: IncomingMessage, response: ServerResponse, body: string) => void> = {
    "/json": (_request, response) => {
      response.writeHead(200, { "content-type": "application/json", "retry-after": "3" });
      response.end('\uFEFF{"point":"1200","name":"太郎"}');
    },
    "/echo": (request, response, body) => {
      response.writeHead(201, { "content-type": "application/json" });
      response.end(
        JSON.stringify({
          method: request.method,
          body,
          length: request.headers["content-length"],
          type: request.headers["content-type"],
        }),
      );
    },
    "/error": (_request, response) => {
      response.writeHead(503, { "content-type": "application/json" });
      response.end(JSON.stringify({ title: "down" }));
    },
    "/silent": () => undefined,
    "/stall-body": (_request, response) => {
      response.writeHead(200, { "content-length": "100" });
      response.write('{"partial":');
    },
    "/cut-body": (_request, response) => {
      response.writeHead(200, { "content-length": "100" });
      response.write('{"partial":', () => response.socket?.destroy());
    },
  };

  beforeAll(async () => {
    server = createServer((request, response) => {
      connections.add(request.socket);
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () =>
        routes[request.url ?? ""]?.(request, response, Buffer.concat(chunks).toString("utf8")),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("answers status, headers and the body as text, without a byte-order mark, over one kept-alive connection", async () => {
    connections.clear();
    const first = await sendHttp(`${base}/json`, { headers: { authorization: "Bearer t" } });
    expect(first.status).toBe(200);
    expect(first.ok).toBe(true);
    expect(first.headers.get("Retry-After")).toBe("3");
    expect(first.headers.get("x-absent")).toBeNull();
    expect(await first.text()).toBe('{"point":"1200","name":"太郎"}');

    await (await sendHttp(`${base}/json`, {})).text();
    expect(connections.size).toBe(1);

    const failed = await sendHttp(`${base}/error`, {});
    expect([failed.status, failed.ok]).toEqual([503, false]);
    await failed.body?.cancel();
    expect((await sendHttp(`${base}/json`, {})).status).toBe(200);
  });

  it("sends a body with its length", async () => {
    const answer = await sendHttp(`${base}/echo`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ point: "-500" }),
    });
    expect(answer.status).toBe(201);
    expect(JSON.parse(await answer.text())).toEqual({
      method: "POST",
      body: '{"point":"-500"}',
      length: "16",
      type: "application/json",
    });
  });

  it("rejects with the signal's TimeoutError when no answer comes in time", async () => {
    const error = await sendHttp(`${base}/silent`, { signal: AbortSignal.timeout(50) }).catch(
      (caught: unknown) => caught,
    );
    expect((error as Error).name).toBe("TimeoutError");
  });

  it("rejects reading the body with the TimeoutError when the body stalls", async () => {
    const answer = await sendHttp(`${base}/stall-body`, { signal: AbortSignal.timeout(100) });
    const error = await answer.text().catch((caught: unknown) => caught);
    expect((error as Error).name).toBe("TimeoutError");
  });

  it("rejects reading a body that breaks off", async () => {
    const answer = await sendHttp(`${base}/cut-body`, { signal: AbortSignal.timeout(5_000) });
    const error = await answer.text().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).not.toBe("TimeoutError");
  });

  it("says when nothing could be sent: the connection was refused", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const error = await sendHttp(`http://127.0.0.1:${port}/json`, {}).catch((caught: unknown) => caught);
    expect(wasNeverSent(error)).toBe(true);
  });

  it("does not send when the signal has already fired", async () => {
    const controller = new AbortController();
    controller.abort(new DOMException("stop", "TimeoutError"));
    const error = await sendHttp(`${base}/json`, { signal: controller.signal }).catch(
      (caught: unknown) => caught,
    );
    expect((error as Error).name).toBe("TimeoutError");
  });
});
