// The load generator of `npm run bench`, on a thread of its own: the local stack runs gateway,
// functions and emulators on the main thread's event loop, and a client on that loop would take
// its CPU from them (in AWS every request has a Lambda instance to itself).
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
parentPort.postMessage(await closedLoop(requests));
