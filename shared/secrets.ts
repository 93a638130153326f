import { getSecret } from "@aws-lambda-powertools/parameters/secrets";

/** How long a secret value is reused before Secrets Manager is asked again. */
const SECRET_MAX_AGE_SECONDS = 300;

/**
 * A lazily read secret: the plain value when the local stack provides one, otherwise the named
 * Secrets Manager secret, cached in the Lambda container for a few minutes so rotation reaches
 * warm containers without paying a call on every request.
 */
export function secretValue(plain: string | undefined, secretId: string | undefined): () => Promise<string> {
  if (plain) return async () => plain;
  if (!secretId) throw new Error("Neither a value nor a secret id was configured");
  return async () => {
    const value = await getSecret<string>(secretId, { maxAge: SECRET_MAX_AGE_SECONDS });
    if (typeof value !== "string" || value.length === 0) throw new Error(`Secret ${secretId} is empty`);
    return value;
  };
}
