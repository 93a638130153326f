import { type Capability, capabilityVariables } from "../catalog";

/**
 * Each function's own environment in the local stack, from the catalog's capabilities as CDK
 * derives it. The local stack passes secrets' values instead of their ids: these are the plain
 * variables standing in for each secret id.
 */
const localForms: Readonly<Record<string, readonly string[]>> = {
  SMAREGI_CREDENTIALS_SECRET_ID: ["SMAREGI_CLIENT_ID", "SMAREGI_CLIENT_SECRET"],
  SHOPIFY_ADMIN_CREDENTIALS_SECRET_ID: ["SHOPIFY_ADMIN_CREDENTIALS"],
  SHOPIFY_APP_SECRET_SECRET_ID: ["SHOPIFY_APP_SECRET"],
};

const localVariablesOf = (capability: Capability) =>
  capabilityVariables[capability].flatMap((name) => localForms[name] ?? [name]);

/** Every variable some capability grants, in its local form. */
const boundVariables = new Set(
  (Object.keys(capabilityVariables) as Capability[]).flatMap((capability) => localVariablesOf(capability)),
);

/** The bound variables a function with these capabilities must not see. */
export function withheldVariables(capabilities: readonly Capability[]): string[] {
  const granted = new Set(capabilities.flatMap(localVariablesOf));
  return [...boundVariables].filter((name) => !granted.has(name));
}

let imports: Promise<unknown> = Promise.resolve();

/**
 * Imports a bundle with the variables its capabilities do not grant removed from the environment
 * while it loads: handlers parse their configuration when their module is evaluated, so the
 * function keeps exactly its own. Imports run one at a time, since the environment is the
 * process's.
 */
export function importWithOwnEnvironment<T>(url: string, capabilities: readonly Capability[]): Promise<T> {
  const load = imports.then(async () => {
    const withheld = withheldVariables(capabilities);
    const saved = new Map(withheld.map((name) => [name, process.env[name]]));
    for (const name of withheld) delete process.env[name];
    try {
      return (await import(url)) as T;
    } finally {
      for (const [name, value] of saved) if (value !== undefined) process.env[name] = value;
    }
  });
  imports = load.catch(() => undefined);
  return load;
}
