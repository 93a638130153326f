// The load generator of `npm run bench`, on a thread of its own, so that a client does not take
// its CPU from the API on the main thread's event loop (in AWS every request has a Lambda
// instance to itself). Warms up, says "warmed", waits for "go" (the bench starts counting in
// between), then runs the measured requests and posts their durations.
import { parentPort, workerData } from "node:worker_threads";

const { url, headers, requests, concurrency, warmUp } = workerData;

async function closedLoop(total) {
  const durations = [];
  let next = 0;
  const lane = async () => {
    while (next < total) {
      next += 1;
      const started = performance.now();
      const response = await fetch(url, { headers });
      const body = await response.text();
      if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${body}`);
      durations.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, lane));
  return durations;
}

await closedLoop(warmUp);
const go = new Promise((resolve) => parentPort.once("message", resolve));
parentPort.postMessage({ type: "warmed" });
await go;
parentPort.postMessage({ type: "done", durations: await closedLoop(requests) });
