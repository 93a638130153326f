import { readdirSync, readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import {
  buildClientSchema,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLNamedType,
  type GraphQLSchema,
  getNamedType,
  type IntrospectionQuery,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isScalarType,
  isUnionType,
  NoDeprecatedCustomRule,
  parse,
  specifiedRules,
  validate,
} from "graphql";
import { describe, expect, it } from "vitest";
import { adminSchema } from "../../infra/local/shopify/schema";
import * as customerOperations from "../../shared/adapters/shopify/customer-operations";
import * as creationOperations from "../../shared/adapters/shopify/discount-creation-operations";
import * as discountOperations from "../../shared/adapters/shopify/discount-operations";
import * as metafieldOperations from "../../shared/adapters/shopify/metafield-operations";

/**
 * The Admin API as Shopify publishes it (the introspection of the pinned version in the npm package
 * `@shopify/dev-mcp`, vendored by scripts/vendor-shopify-schema.ts): every document the client
 * sends must validate against it without deprecated fields, and the emulator may declare nothing
 * Shopify lacks.
 */
const source = JSON.parse(
  readFileSync(new URL("../contracts/shopify/admin-schema.source.json", import.meta.url), "utf8"),
) as { apiVersion: string };
const shopify: GraphQLSchema = buildClientSchema(
  (
    JSON.parse(
      gunzipSync(
        readFileSync(
          new URL(`../contracts/shopify/admin_${source.apiVersion}.introspection.json.gz`, import.meta.url),
        ),
      ).toString("utf8"),
    ) as { data: IntrospectionQuery }
  ).data,
);

/** The client's documents, one module per concern, each beside the schema of its `data`. */
const operationModules = { discountOperations, creationOperations, customerOperations, metafieldOperations };
const operationFiles = [
  "shopify/discount-operations.ts",
  "shopify/discount-creation-operations.ts",
  "shopify/customer-operations.ts",
  "shopify/metafield-operations.ts",
];

/** Every `{ query }` the operations modules export, however deeply grouped. */
function documentsOf(value: unknown, path: string): Array<[string, string]> {
  if (typeof value !== "object" || value === null) return [];
  const query = (value as { query?: unknown }).query;
  if (typeof query === "string") return [[path, query]];
  return Object.entries(value).flatMap(([key, inner]) => documentsOf(inner, `${path}.${key}`));
}
const documents = Object.values(operationModules).flatMap((operations) =>
  Object.entries(operations).flatMap(([name, value]) => documentsOf(value, name)),
);

describe("the client's documents", () => {
  it("are all found (a document added later is checked too)", () => {
    expect(documents.length).toBeGreaterThanOrEqual(13);
    // A document written anywhere else would escape this test.
    const elsewhere = readdirSync(new URL("../../shared/", import.meta.url), {
      recursive: true,
      encoding: "utf8",
    })
      .filter((file) => file.endsWith(".ts") && !operationFiles.some((module) => file.endsWith(module)))
      .filter((file) =>
        /\/\* GraphQL \*\/|\b(query|mutation)\s+\w+\s*[({]/.test(
          readFileSync(new URL(`../../shared/${file}`, import.meta.url), "utf8"),
        ),
      );
    expect(elsewhere).toEqual([]);
  });

  it.each(documents)("%s validates against Shopify's schema, without deprecated fields", (_name, query) => {
    const errors = validate(shopify, parse(query), [...specifiedRules, NoDeprecatedCustomRule]);

    expect(errors.map((error) => error.message)).toEqual([]);
  });

  it("a deprecated field is refused (the check can fail)", () => {
    const errors = validate(shopify, parse('query { customer(id: "1") { email } }'), [
      NoDeprecatedCustomRule,
    ]);

    expect(errors.map((error) => error.message).join()).toMatch(/Customer\.email is deprecated/);
  });
});

/** What the emulator declares that Shopify's schema lacks or types differently. */
function differences(emulator: GraphQLSchema, real: GraphQLSchema): string[] {
  const found: string[] = [];
  const sameType = (a: { type: unknown }, b: { type: unknown }) => String(a.type) === String(b.type);
  for (const type of Object.values(emulator.getTypeMap())) {
    if (type.name.startsWith("__")) continue;
    const name = rootName(emulator, real, type);
    const counterpart = real.getType(name);
    if (!counterpart) {
      found.push(`type ${type.name}`);
      continue;
    }
    if (counterpart.constructor !== type.constructor) {
      found.push(
        `type ${type.name} is a ${type.constructor.name} here, a ${counterpart.constructor.name} in Shopify`,
      );
      continue;
    }
    if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
      const realFields = (counterpart as typeof type).getFields() as Record<
        string,
        GraphQLField<unknown, unknown> | GraphQLInputField
      >;
      for (const field of Object.values(type.getFields()) as Array<
        GraphQLField<unknown, unknown> | GraphQLInputField
      >) {
        const realField = realFields[field.name];
        if (!realField) {
          found.push(`${type.name}.${field.name}`);
          continue;
        }
        const deprecated = (candidate: { deprecationReason?: string | null | undefined }) =>
          Boolean(candidate.deprecationReason);
        if (deprecated(field) !== deprecated(realField)) {
          found.push(`${type.name}.${field.name} is ${deprecated(field) ? "" : "not "}deprecated here`);
        }
        if (!sameType(field, realField)) {
          found.push(
            `${type.name}.${field.name}: ${String(field.type)} here, ${String(realField.type)} in Shopify`,
          );
        }
        if ("args" in field && "args" in realField) {
          for (const argument of field.args) {
            const realArgument = realField.args.find((candidate) => candidate.name === argument.name);
            if (!realArgument) found.push(`${type.name}.${field.name}(${argument.name})`);
            else if (!sameType(argument, realArgument)) {
              found.push(
                `${type.name}.${field.name}(${argument.name}): ${String(argument.type)} here, ${String(realArgument.type)} in Shopify`,
              );
            }
          }
        }
      }
      if (isInputObjectType(type) && type.isOneOf !== (counterpart as typeof type).isOneOf) {
        found.push(`${type.name} @oneOf ${type.isOneOf ? "here only" : "missing"}`);
      }
    }
    if (isEnumType(type) && isEnumType(counterpart)) {
      const values = new Set(counterpart.getValues().map((value) => value.name));
      for (const value of type.getValues())
        if (!values.has(value.name)) found.push(`${type.name}.${value.name}`);
    }
    if (isUnionType(type) && isUnionType(counterpart)) {
      const members = new Set(counterpart.getTypes().map((member) => member.name));
      for (const member of type.getTypes())
        if (!members.has(member.name)) found.push(`${type.name} | ${member.name}`);
    }
  }
  return found;
}

/** The emulator's root types carry Shopify's names (QueryRoot, Mutation); built-in scalars match. */
function rootName(emulator: GraphQLSchema, real: GraphQLSchema, type: GraphQLNamedType): string {
  if (type === emulator.getQueryType()) return real.getQueryType()?.name ?? type.name;
  if (type === emulator.getMutationType()) return real.getMutationType()?.name ?? type.name;
  return isScalarType(type) ? getNamedType(type).name : type.name;
}

describe("the Shopify emulator's schema", () => {
  it("declares only types, fields, arguments and values Shopify has, typed as Shopify types them", () => {
    expect(differences(adminSchema, shopify)).toEqual([]);
  });

  it("would be caught declaring something Shopify lacks (the check can fail)", () => {
    const invented = buildClientSchema(
      JSON.parse(
        JSON.stringify({
          __schema: {
            queryType: { name: "QueryRoot" },
            mutationType: null,
            subscriptionType: null,
            directives: [],
            types: [
              {
                kind: "OBJECT",
                name: "QueryRoot",
                interfaces: [],
                fields: [
                  {
                    name: "loyaltyPoints",
                    args: [],
                    type: { kind: "SCALAR", name: "Int", ofType: null },
                    isDeprecated: false,
                  },
                ],
              },
              { kind: "SCALAR", name: "Int" },
              { kind: "SCALAR", name: "Boolean" },
              { kind: "SCALAR", name: "String" },
            ],
          },
        }),
      ) as IntrospectionQuery,
    );

    expect(differences(invented, shopify)).toEqual(["QueryRoot.loyaltyPoints"]);
  });
});
