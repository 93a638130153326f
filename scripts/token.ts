/**
 * Prints a session token for the local stack, and nothing else on stdout, so that
 * `TOKEN=$(npm run -s token -- --customer 8840734670934)` works.
 */
import { parseArgs } from "node:util";
import { localAdminIssuer } from "../infra/local/admin-issuer";
import { demoCredentials, demoShop } from "../infra/local/demo-data";
import { mintAdminToken } from "../shared/auth/admin-token";
import { mintCustomerSessionToken } from "../shared/auth/mint";
import { parseCustomerId } from "../shared/auth/shopify-ids";

const USAGE = `Usage:
  npm run -s token -- --customer <id|gid> [--ttl <seconds>]
  npm run -s token -- --admin <email> --role admin|viewer [--ttl <seconds>]

Customer tokens are signed with the local demo credentials (SHOPIFY_APP_SECRET and SHOP_DOMAIN
override them); admin tokens with the local admin issuer's key.`;

/** One variant per kind of token. */
type TokenCommand =
  | { kind: "customer"; customerId: string; ttlSeconds: number }
  | { kind: "admin"; email: string; role: "admin" | "viewer"; ttlSeconds: number }
  | { kind: "help" };

class UsageError extends Error {
  override name = "UsageError";
}

function parseCommand(argv: readonly string[]): TokenCommand {
  let values: ReturnType<typeof parse>["values"];
  try {
    ({ values } = parse(argv));
  } catch (error) {
    // parseArgs explains unknown flags and missing values well enough.
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return { kind: "help" };

  const ttlSeconds = values.ttl === undefined ? 300 : Number(values.ttl);
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) {
    throw new UsageError("--ttl must be a positive whole number of seconds");
  }

  if (values.customer !== undefined && values.admin !== undefined) {
    throw new UsageError("Give either --customer or --admin, not both");
  }
  if (values.admin !== undefined) {
    if (values.role !== "admin" && values.role !== "viewer") {
      throw new UsageError("--admin needs --role admin or --role viewer");
    }
    return { kind: "admin", email: values.admin, role: values.role, ttlSeconds };
  }
  if (values.role !== undefined) throw new UsageError("--role only goes with --admin");
  if (values.customer === undefined) throw new UsageError("Give --customer <id|gid>");

  const customerId = parseCustomerId(values.customer);
  if (customerId === undefined) {
    throw new UsageError("--customer must be a numeric id or gid://shopify/Customer/<id>");
  }
  return { kind: "customer", customerId, ttlSeconds };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      customer: { type: "string" },
      ttl: { type: "string" },
      admin: { type: "string" },
      role: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
}

async function run(command: TokenCommand): Promise<string | undefined> {
  switch (command.kind) {
    case "help":
      process.stderr.write(`${USAGE}\n`);
      return undefined;
    case "admin":
      return mintAdminToken({
        email: command.email,
        role: command.role,
        issuer: localAdminIssuer.issuer,
        audience: localAdminIssuer.audience,
        privateKey: localAdminIssuer.privateKey,
        ttlSeconds: command.ttlSeconds,
      });
    case "customer":
      return mintCustomerSessionToken({
        customerId: command.customerId,
        ttlSeconds: command.ttlSeconds,
        appSecret: process.env.SHOPIFY_APP_SECRET || demoCredentials.shopifyAppSecret,
        shopDomain: process.env.SHOP_DOMAIN || demoShop.domain,
        clientId: demoCredentials.shopifyClientId,
      });
  }
}

try {
  const token = await run(parseCommand(process.argv.slice(2)));
  if (token !== undefined) process.stdout.write(`${token}\n`);
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`token: ${error.message}\n\n${USAGE}\n`);
  process.exitCode = 2;
}
