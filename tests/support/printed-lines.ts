import { vi } from "vitest";

/** Runs `act` and returns the JSON lines the logger and the metrics emitter wrote. */
export async function printedLines(act: () => unknown): Promise<Array<Record<string, unknown>>> {
  const written: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    written.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    return true;
  };
  // Lambda sends both streams to the log group; the logger writes errors to stderr.
  const spies = [
    vi.spyOn(process.stdout, "write").mockImplementation(capture),
    vi.spyOn(process.stderr, "write").mockImplementation(capture),
  ];
  try {
    await act();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return written
    .join("")
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
