import { expect } from "vitest";
import type { Problem } from "../../shared/http/problem";

/** A stack frame as Node prints it: `    at fn (file.ts:12:3)` or `    at file.ts:12:3`. */
const stackFramePattern = /\bat\s+(?:\S+\s+\()?[^\s()]+:\d+:\d+\)?/;

/**
 * Reads an error answer the way the front end does and checks what every problem must honour:
 * problem+json with a stable code, a detail a person can read, and nothing internal (no stack
 * frames, none of the secrets the request carried).
 */
export async function readProblem(
  response: Response,
  expected: { status: number; code: string },
  secrets: readonly string[] = [],
): Promise<Problem> {
  const text = await response.text();
  expect(response.status, text).toBe(expected.status);
  expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  expect(text).not.toMatch(stackFramePattern);
  for (const secret of secrets) expect(text).not.toContain(secret);
  const problem = JSON.parse(text) as Problem;
  expect(problem).toMatchObject({ status: expected.status, code: expected.code });
  expect(problem.title).toEqual(expect.any(String));
  expect(problem.detail.length).toBeGreaterThan(10);
  return problem;
}
