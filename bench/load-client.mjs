// The load generator of `npm run bench`, in a Node process of its own, so that neither the client's
// CPU nor its garbage is counted as the measured process's (in AWS every request has a Lambda
// instance to itself, and the shopper's browser is elsewhere). Plain `node:http` over kept-alive
// connections, one per lane: the lightest client Node has, so it takes as little of the machine's
// two cores as it can from the API. Configured by its one argument (JSON):
//   { urls, method?, headers, body?, expectStatus?, idempotent?, requests, concurrency, warmUp,
//     keepBodies?, together? }
// Request i goes to urls[i] (the last one once they run out); `idempotent` sends a fresh
// Idempotency-Key with each. It warms up, says "warmed", waits for "go" (the bench starts counting
// in between), then runs the measured requests and sends their durations (and the bodies of the
// answers with `keepBodies`, warm-up included, in the order the requests were sent).
// The measured lanes start spread over one answer time (the warm-up's median), as customers who
// each arrive on their own; `together` starts them all in the same millisecond instead. With the
// emulators' fixed latencies, lanes that start together stay together: a burst of `concurrency`
// requests every answer time, for the whole run.
import { randomUUID } from "node:crypto";
import { Agent, request } from "node:http";

const {
  urls,
  method = "GET",
  headers,
  body,
  expectStatus = 200,
  idempotent = false,
  requests,
  concurrency,
  warmUp,
  keepBodies = false,
  together = false,
} = JSON.parse(process.argv[2] ?? "{}");
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
const bodies = [];
let sent = 0;

/** One request; resolves with the status and body once the whole answer has arrived. */
const send = (url) =>
  new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      {
        agent,
        method,
        headers: idempotent ? { ...headers, "idempotency-key": randomUUID() } : headers,
      },
      (response) => {
        const chunks = [];
        response.on("data", (chunk) => chunks.push(chunk));
        response.on("end", () =>
          resolve({ status: response.statusCode, body: Buffer.concat(chunks).toString("utf8") }),
        );
        response.on("error", reject);
      },
    );
    outgoing.on("error", reject);
    outgoing.end(body);
  });

/**
 * `total` requests from `concurrency` lanes, each sending its next request once its last one is
 * answered. Lane k sends its first one `k * spacingMs` after lane 0.
 */
async function closedLoop(total, spacingMs) {
  const durations = [];
  let next = 0;
  const lane = async (_, k) => {
    if (k > 0) await new Promise((resolve) => setTimeout(resolve, k * spacingMs));
    while (next < total) {
      next += 1;
      const index = sent++;
      const url = urls[Math.min(index, urls.length - 1)];
      const started = performance.now();
      const answer = await send(url);
      if (answer.status !== expectStatus) throw new Error(`${url} answered ${answer.status}: ${answer.body}`);
      durations.push(performance.now() - started);
      if (keepBodies) bodies[index] = answer.body;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, lane));
  return durations;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

try {
  const warmUpDurations = await closedLoop(warmUp, 0);
  const go = new Promise((resolve) => process.once("message", resolve));
  process.send({ type: "warmed" });
  await go;
  const durations = await closedLoop(requests, together ? 0 : median(warmUpDurations) / concurrency);
  process.send({ type: "done", durations, bodies });
} catch (error) {
  process.send({ type: "failed", message: error instanceof Error ? error.message : String(error) });
}
agent.destroy();
process.disconnect();
