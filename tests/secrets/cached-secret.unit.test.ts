import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { cachedSecret, SECRET_MAX_AGE_MS, secretValue } from "../../shared/adapters/secretsmanager/secrets";

const secretsManager = mockClient(SecretsManagerClient);
afterEach(() => secretsManager.reset());

describe("secrets read from Secrets Manager", () => {
  it("asks once for concurrent readers and again only after the maximum age (rotation reaches warm containers)", async () => {
    // Prepare
    let now = 1_000_000;
    secretsManager
      .on(GetSecretValueCommand, { SecretId: "app-secret" })
      .resolvesOnce({ SecretString: "first" })
      .resolvesOnce({ SecretString: "rotated" });
    const secret = cachedSecret("app-secret", () => now);

    // Act
    const concurrent = await Promise.all([secret(), secret(), secret()]);
    now += SECRET_MAX_AGE_MS - 1;
    const beforeExpiry = await secret();
    now += 1;
    const afterExpiry = await secret();

    // Assess
    expect(concurrent).toEqual(["first", "first", "first"]);
    expect(beforeExpiry).toBe("first");
    expect(afterExpiry).toBe("rotated");
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it("does not keep a failed read, and refuses an empty secret", async () => {
    // Prepare
    secretsManager
      .on(GetSecretValueCommand)
      .rejectsOnce(new Error("throttled"))
      .resolvesOnce({ SecretString: "" })
      .resolves({ SecretString: "value" });
    const secret = cachedSecret("app-secret");

    // Act + Assess
    await expect(secret()).rejects.toThrow("throttled");
    await expect(secret()).rejects.toThrow("Secret app-secret is empty");
    await expect(secret()).resolves.toBe("value");
  });

  it("uses a plain value without asking Secrets Manager, and needs one or the other", async () => {
    await expect(secretValue("plain", "ignored")()).resolves.toBe("plain");
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(0);
    expect(() => secretValue(undefined, undefined)).toThrow("Neither a value nor a secret id was configured");
  });
});
