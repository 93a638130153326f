import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PointChangeOutcomeUnknown } from "../../shared/adapters/smaregi";
import { Conflict, PosDeclined, PosOutcomeUnknown } from "../../shared/errors";
import { NotInReview } from "../../shared/resolution/claims";
import { CouponStatusConflict } from "../../shared/store";

/**
 * Bundles are minified without esbuild's `keepNames` (infra/bundling.ts), so a class's own name is
 * gone from a bundle: the `name` its errors carry, which the state machines' Retry and Catch match
 * and the logs print, must be written out in each class. This holds every error class of the
 * Lambda code (`shared/`, `functions/`) to it, those added later included.
 */

/** Classes that deliberately carry their parent's name, and why. */
const carriesParentName: Record<string, string> = {
  // The state machine matches PosOutcomeUnknown; the subclass only adds what reconciliation reads.
  PointChangeOutcomeUnknown: "PosOutcomeUnknown",
};

interface ClassDeclaration {
  file: string;
  name: string;
  base: string;
  body: string;
}

function sources(folder: string): string[] {
  return readdirSync(new URL(`../../${folder}/`, import.meta.url), { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts"))
    .map((file) => `${folder}/${file}`);
}

/** Every class declaration with an `extends`, with its body (braces matched). */
function classDeclarations(): ClassDeclaration[] {
  const found: ClassDeclaration[] = [];
  for (const file of [...sources("shared"), ...sources("functions")]) {
    const text = readFileSync(new URL(`../../${file}`, import.meta.url), "utf8");
    for (const match of text.matchAll(/\bclass (\w+) extends (\w+)\b[^{]*\{/g)) {
      let depth = 1;
      let end = (match.index ?? 0) + match[0].length;
      while (depth > 0 && end < text.length) {
        if (text[end] === "{") depth++;
        if (text[end] === "}") depth--;
        end++;
      }
      found.push({ file, name: match[1] ?? "", base: match[2] ?? "", body: text.slice(match.index, end) });
    }
  }
  return found;
}

/** The classes descending from Error, found from the declarations themselves. */
function errorClasses(): ClassDeclaration[] {
  const declarations = classDeclarations();
  const family = new Set(["Error"]);
  for (let grown = true; grown; ) {
    grown = false;
    for (const declaration of declarations) {
      if (family.has(declaration.base) && !family.has(declaration.name)) {
        family.add(declaration.name);
        grown = true;
      }
    }
  }
  return declarations.filter((declaration) => family.has(declaration.base));
}

/** The literal a class body gives `name`: a field (`readonly name = "X"`) or an assignment. */
function writtenName(body: string): string | undefined {
  return /\breadonly name(?::\s*string)?\s*=\s*"(\w+)"|\bthis\.name\s*=\s*"(\w+)"/
    .exec(body)
    ?.slice(1)
    .find(Boolean);
}

describe("every error class", () => {
  const classes = errorClasses();

  it("is found (the scan can see the project's error classes)", () => {
    expect(classes.map(({ name }) => name)).toEqual(
      expect.arrayContaining(["Conflict", "PosDeclined", "NotInReview", "ReconciliationIncomplete"]),
    );
    expect(classes.length).toBeGreaterThanOrEqual(30);
  });

  it.each(classes.map((declaration) => [declaration.name, declaration] as const))(
    "%s writes out its own name",
    (name, declaration) => {
      if (name === "LoyaltyError") {
        // The base of the domain's errors declares `name` abstract: each concrete class must write it.
        expect(declaration.body).toMatch(/abstract override readonly name: string;/);
        return;
      }
      const expected = carriesParentName[name];
      expect(writtenName(declaration.body), `${declaration.file}: ${name}`).toBe(
        expected === undefined ? name : undefined,
      );
    },
  );

  it("gives its instances that name, subclasses included", () => {
    expect(new Conflict("code", "detail").name).toBe("Conflict");
    expect(new NotInReview("conversion", "c-1", "completed").name).toBe("NotInReview");
    expect(new CouponStatusConflict("CODE", "used", ["active"]).name).toBe("CouponStatusConflict");
    expect(new PosDeclined("declined").name).toBe("PosDeclined");
    const unknown = new PointChangeOutcomeUnknown("lost", {
      customerId: "1",
      delta: -500,
      attemptStartedAt: new Date(0),
    });
    expect(unknown.name).toBe("PosOutcomeUnknown");
    expect(unknown).toBeInstanceOf(PosOutcomeUnknown);
    // An own, enumerable property, as the assignment in the constructor used to make it.
    expect(Object.keys(new PosDeclined("declined"))).toContain("name");
  });
});
