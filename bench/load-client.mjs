// The load generator of `npm run bench`, in a Node process of its own, so that neither the client's
// CPU nor its garbage is counted as the measured process's (in AWS every request has a Lambda
// instance to itself, and the shopper's browser is elsewhere). Plain `node:http` over kept-alive
// connections, one per lane: the lightest client Node has, so it takes as little of the machine's
// two cores as it can from the API. Configured by its one argument (JSON); warms up, says
// "warmed", waits for "go" (the bench starts counting in between), then runs the measured requests
// and sends their durations.
import { Agent, request } from "node:http";

const { url, headers, requests, concurrency, warmUp } = JSON.parse(process.argv[2] ?? "{}");
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });

/** One GET; resolves with the status and body once the whole answer has arrived. */
const get = () =>
  new Promise((resolve, reject) => {
    const sent = request(url, { agent, headers }, (response) => {
      const chunks = [];
      response.on("data", (chunk) => chunks.push(chunk));
      response.on("end", () =>
        resolve({ status: response.statusCode, body: Buffer.concat(chunks).toString("utf8") }),
      );
      response.on("error", reject);
    });
    sent.on("error", reject);
    sent.end();
  });

async function closedLoop(total) {
  const durations = [];
  let next = 0;
  const lane = async () => {
    while (next < total) {
      next += 1;
      const started = performance.now();
      const { status, body } = await get();
      if (status !== 200) throw new Error(`${url} answered ${status}: ${body}`);
      durations.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, lane));
  return durations;
}

try {
  await closedLoop(warmUp);
  const go = new Promise((resolve) => process.once("message", resolve));
  process.send({ type: "warmed" });
  await go;
  process.send({ type: "done", durations: await closedLoop(requests) });
} catch (error) {
  process.send({ type: "failed", message: error instanceof Error ? error.message : String(error) });
}
agent.destroy();
process.disconnect();
