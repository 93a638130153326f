#!/usr/bin/env node
/**
 * The CDK app: one stack per stage, `Loyalty-<stage>`. The stage is chosen with `-c stage=<name>`
 * (default `demo`) from the `stages` context object in cdk.json; see stage-config.ts.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { App, Tags, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { LoyaltyStack, REPOSITORY_ROOT } from "./stack";
import { loadStage } from "./stage-config";

/**
 * cdk.json's context as defaults: the CLI's context (cdk.json plus `-c`) overrides it, and the app
 * also synthesises when run directly (`npx tsx infra/app.ts`), e.g. in CI without the CLI.
 */
function committedContext(): Record<string, unknown> {
  const cdkJson: unknown = JSON.parse(readFileSync(path.join(REPOSITORY_ROOT, "cdk.json"), "utf8"));
  if (typeof cdkJson === "object" && cdkJson !== null && "context" in cdkJson) {
    const { context } = cdkJson;
    if (typeof context === "object" && context !== null) return { ...context };
  }
  return {};
}

const app = new App({
  context: committedContext(),
  // The CLI passes its output directory; run directly, the assembly lands where the CLI's would.
  outdir: process.env.CDK_OUTDIR ?? path.join(REPOSITORY_ROOT, "cdk.out"),
});
const stage = loadStage(app.node);

const stack = new LoyaltyStack(app, `Loyalty-${stage.name}`, {
  stage,
  description: `Loyalty points and coupons (${stage.name})`,
  ...(stage.config.account || stage.config.region
    ? { env: { account: stage.config.account, region: stage.config.region } }
    : {}),
});
Tags.of(stack).add("service", "loyalty");
Tags.of(stack).add("stage", stage.name);

// cdk-nag 3 runs as a policy validation plugin: any unacknowledged finding fails synthesis.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

app.synth();
