import { describe, expect, it } from "vitest";
import { routes } from "../../infra/catalog";
import { apiOperations, openApi } from "../../shared/api";

describe("the OpenAPI document", () => {
  it("lists exactly the routes of the route catalog", () => {
    // Act
    const document = openApi();
    const documented = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );

    // Assess
    expect(documented.sort()).toEqual(routes.map((route) => `${route.method} ${route.path}`).sort());
  });

  it("documents each operation with the security its route needs", () => {
    const securityOf = { public: "none", customer: "customer", webhook: "webhook" } as const;
    for (const route of routes) {
      const operation = apiOperations.find((op) => op.method === route.method && op.path === route.path);
      const expected = route.auth.startsWith("admin:")
        ? "admin"
        : securityOf[route.auth as keyof typeof securityOf];
      expect(operation?.security, `${route.method} ${route.path}`).toBe(expected);
    }
  });

  it("is OpenAPI 3.1 with JSON Schemas generated from the handlers' zod schemas", () => {
    const document = openApi();

    expect(document.openapi).toBe("3.1.0");
    const conversion = document.paths["/v1/me/conversions"]?.post as {
      requestBody: { content: { "application/json": { schema: { properties: Record<string, unknown> } } } };
      responses: Record<string, unknown>;
      parameters: Array<{ name: string; required: boolean }>;
    };
    expect(conversion.requestBody.content["application/json"].schema.properties.points).toEqual({
      type: "number",
    });
    expect(Object.keys(conversion.responses)).toEqual(expect.arrayContaining(["201", "202", "409", "422"]));
    expect(conversion.parameters).toContainEqual(
      expect.objectContaining({ name: "Idempotency-Key", required: true }),
    );
    expect(JSON.stringify(document)).not.toContain("$schema");
  });
});
