import { afterEach, onTestFailed } from "vitest";

/**
 * A green run is quiet: a test that provokes an error log (an admin alert after an injected fault,
 * a step's warning) declares it with `expectLogs`, and the matching JSON lines are captured for
 * the test to assert on instead of being printed. Nothing else is hidden: an ERROR line no test
 * declared still prints, and when a test fails, the lines it captured are printed after all.
 *
 * The Powertools logger writes JSON lines straight to `process.stdout` / `process.stderr` (its own
 * `Console`, not the global one vitest intercepts), so the capture sits on the streams' `write`;
 * `tests/setup/expected-logs.ts` installs it in every worker. `printedLines`, which replaces the
 * streams' write for one call, still sees every line written during that call, declared or not.
 */

export type LogLine = Record<string, unknown>;
export type LogMatch = Partial<Record<string, unknown>> | ((line: LogLine) => boolean);

export interface ExpectedLogs {
  /** The lines captured so far, parsed. */
  readonly lines: LogLine[];
}

interface Expectation extends ExpectedLogs {
  matches(line: LogLine): boolean;
  raw: string[];
}

let active: Expectation[] = [];

const matcher = (match: LogMatch) =>
  typeof match === "function"
    ? match
    : (line: LogLine) => Object.entries(match).every(([key, value]) => line[key] === value);

/**
 * Declares that the running test expects log lines like `match` (e.g. `{ alert: "needs_review" }`
 * or `{ level: "ERROR" }`): they are captured, not printed, until the test ends.
 */
export function expectLogs(...matches: LogMatch[]): ExpectedLogs {
  const tests = matches.map(matcher);
  const expectation: Expectation = {
    lines: [],
    raw: [],
    matches: (line) => tests.some((test) => test(line)),
  };
  active.push(expectation);
  // Debugging a failure needs them after all.
  onTestFailed(() => {
    for (const line of expectation.raw) original.stderr(`${line}\n`);
  });
  return expectation;
}

/** The admin alerts of these kinds (`logAlert`'s `alert` key), captured. */
export const expectAlerts = (...kinds: string[]) =>
  expectLogs(...kinds.map((alert) => ({ level: "ERROR", alert })));

type Write = (chunk: string | Uint8Array, ...rest: unknown[]) => boolean;

/** Where each stream keeps the write beneath the capture (tests may stand in for it). */
export const unwrappedWrite = Symbol.for("loyalty.tests.unwrappedWrite");
const original: { stdout: (text: string) => void; stderr: (text: string) => void } = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** Takes the lines an expectation claims out of a chunk; returns what is left to print. */
function claim(text: string): string {
  if (active.length === 0 || !text.includes("{")) return text;
  const kept: string[] = [];
  for (const line of text.split("\n")) {
    let parsed: LogLine | undefined;
    if (line.startsWith("{")) {
      try {
        parsed = JSON.parse(line) as LogLine;
      } catch {
        parsed = undefined;
      }
    }
    // The latest declaration first: a helper that declares and asserts may run twice in a test.
    const owner = parsed && active.findLast((expectation) => expectation.matches(parsed));
    if (owner && parsed) {
      owner.lines.push(parsed);
      owner.raw.push(line);
    } else {
      kept.push(line);
    }
  }
  return kept.join("\n");
}

/** Wraps both streams; see the module comment. */
export function installLogCapture(): void {
  for (const name of ["stdout", "stderr"] as const) {
    const stream = process[name] as NodeJS.WriteStream & { [unwrappedWrite]?: Write };
    // A worker that runs several files installs once per file: wrap the stream's own write only.
    const own = stream[unwrappedWrite] ?? (stream.write.bind(stream) as Write);
    stream[unwrappedWrite] = own;
    const write: Write = (chunk, ...rest) => (stream[unwrappedWrite] ?? own)(chunk, ...rest);
    original[name] = (text) => {
      write(text);
    };
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
      const left = claim(text);
      if (left === text) return write(chunk, ...rest);
      // Keep the write's callback contract when everything was captured.
      const callback = rest.find((arg): arg is () => void => typeof arg === "function");
      if (left.trim() === "") {
        callback?.();
        return true;
      }
      return write(left, ...rest);
    }) as typeof stream.write;
  }
  afterEach(() => {
    active = [];
  });
}
