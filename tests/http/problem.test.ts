import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConversionRefused } from "../../shared/conversion/request";
import { Conflict, PosUnavailable } from "../../shared/errors";
import { problemResponse } from "../../shared/http/problem";

describe("problem+json answers", () => {
  it("carries the domain's status, code, detail and Retry-After", () => {
    const response = problemResponse(new PosUnavailable("The store's point system is down"), "req-1");

    expect(response.statusCode).toBe(503);
    expect(response.headers).toMatchObject({
      "content-type": "application/problem+json",
      "retry-after": "30",
    });
    expect(JSON.parse(response.body ?? "")).toEqual({
      type: "/problems/pos_unavailable",
      title: "Store points are temporarily unavailable",
      status: 503,
      detail: "The store's point system is down",
      code: "pos_unavailable",
      instance: "urn:request:req-1",
    });
  });

  it("names every wrong field of a request", () => {
    const parsed = z.object({ points: z.number(), note: z.string() }).safeParse({ points: "x" });
    if (parsed.success) throw new Error("expected a failure");

    const body = JSON.parse(problemResponse(parsed.error).body ?? "");

    expect(body.status).toBe(400);
    expect(body.detail).toContain("points");
    expect(body.detail).toContain("note");
  });

  it("never leaks internals of unexpected errors", () => {
    const error = new Error("connect ECONNREFUSED 10.0.0.7:5432 at Socket.internal (secret.js:1:1)");

    const response = problemResponse(error, "req-2");
    const body = JSON.parse(response.body ?? "");

    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain("ECONNREFUSED");
    expect(response.body).not.toContain("secret.js");
    expect(body.detail).toContain("req-2");
  });

  it("tells a second concurrent request when to retry", () => {
    const response = problemResponse(
      new Conflict("conversion_in_progress", "Another conversion is running", 5),
    );
    expect(response.statusCode).toBe(409);
    expect(response.headers?.["retry-after"]).toBe("5");
  });

  it("tells a customer refused for an outage when a new conversion may work, and names the conversion", () => {
    const outage = problemResponse(
      new ConversionRefused("pos_unavailable", "The store's point system is down", "C1"),
    );
    const declined = problemResponse(new ConversionRefused("insufficient_points", "Not enough points", "C2"));

    expect(outage.statusCode).toBe(503);
    expect(outage.headers?.["retry-after"]).toBe("30");
    expect(JSON.parse(String(outage.body))).toMatchObject({ code: "pos_unavailable", conversionId: "C1" });
    expect(declined.statusCode).toBe(422);
    expect(declined.headers?.["retry-after"]).toBeUndefined();
  });
});
