import { describe, expect, it } from "vitest";
import cdkJson from "../../cdk.json" with { type: "json" };
import { parseStageConfig } from "../../infra/stage-config";
import { buildTestStack, logicalIdOf, type Resources } from "./helpers";

const stageWith = (email: Record<string, unknown>) =>
  parseStageConfig("demo", {
    ...cdkJson.context.stages.demo,
    email: { ...cdkJson.context.stages.demo.email, ...email },
  });

const identitiesOf = (resources: Resources) =>
  Object.values(resources).filter((resource) => resource.Type === "AWS::SES::EmailIdentity");

describe("The SES sender identity", () => {
  it("is the sender's domain by default, with its DKIM records as an output", () => {
    const { stack, template } = buildTestStack();
    const resources = template.toJSON().Resources as Resources;

    expect(identitiesOf(resources).map((identity) => identity.Properties?.EmailIdentity)).toEqual([
      "example.com",
    ]);
    expect(stack.senderIdentity && logicalIdOf(stack.senderIdentity)).toBeDefined();
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown; Description: string }>;
    expect(outputs.SenderDkimRecords?.Description).toContain("example.com");
    // Three CNAME records, each "<name> CNAME <value>" from the identity's DKIM tokens.
    expect(JSON.stringify(outputs.SenderDkimRecords?.Value).match(/CNAME/g)).toHaveLength(3);
  });

  it("is the address itself when email.identity names one, without DNS records to add", () => {
    const { template } = buildTestStack({ stage: stageWith({ identity: "loyalty@example.com" }) });
    const resources = template.toJSON().Resources as Resources;

    expect(identitiesOf(resources).map((identity) => identity.Properties?.EmailIdentity)).toEqual([
      "loyalty@example.com",
    ]);
    expect((template.toJSON().Outputs as Record<string, unknown>).SenderDkimRecords).toBeUndefined();
  });

  it("is left alone when the merchant verified it in SES already (email.createIdentity false)", () => {
    const { stack, template } = buildTestStack({ stage: stageWith({ createIdentity: false }) });

    expect(identitiesOf(template.toJSON().Resources as Resources)).toEqual([]);
    expect(stack.senderIdentity).toBeUndefined();
  });

  it("refuses a createIdentity that is not a boolean, naming the field", () => {
    expect(() => stageWith({ createIdentity: "yes" })).toThrow(/email\.createIdentity/);
  });
});
