import { onFirstUse } from "../lazy";

/** How long a secret value is reused before Secrets Manager is asked again. */
export const SECRET_MAX_AGE_MS = 300_000;

/** Loaded on the first secret read, so no function loads the SDK at import. */
const secretsManager = onFirstUse(async () => {
  const { SecretsManager } = await import("@aws-sdk/client-secrets-manager");
  return new SecretsManager({});
});

/**
 * The named Secrets Manager secret's string, read on first use and kept in the Lambda container
 * for a few minutes, so rotation reaches warm containers without paying a call on every request.
 * Concurrent callers share one read; a failed read is not kept.
 */
export function cachedSecret(secretId: string, now: () => number = Date.now): () => Promise<string> {
  let cached: { value: Promise<string>; readAt: number } | undefined;
  return () => {
    const at = now();
    if (cached === undefined || at - cached.readAt >= SECRET_MAX_AGE_MS) {
      const value = readSecret(secretId);
      const entry = { value, readAt: at };
      cached = entry;
      value.catch(() => {
        if (cached === entry) cached = undefined;
      });
    }
    return cached.value;
  };
}

async function readSecret(secretId: string): Promise<string> {
  const answer = await (await secretsManager()).getSecretValue({ SecretId: secretId });
  const value = answer.SecretString;
  if (typeof value !== "string" || value.length === 0) throw new Error(`Secret ${secretId} is empty`);
  return value;
}

/**
 * A lazily read secret: the plain value when the local stack provides one, otherwise the named
 * Secrets Manager secret (`cachedSecret`).
 */
export function secretValue(plain: string | undefined, secretId: string | undefined): () => Promise<string> {
  if (plain) return async () => plain;
  if (!secretId) throw new Error("Neither a value nor a secret id was configured");
  return cachedSecret(secretId);
}
