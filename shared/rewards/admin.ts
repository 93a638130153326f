import { newConversionId } from "../conversion/rules";
import { NotFound } from "../errors";
import type { AuditTrail } from "../store";
import type { RewardInput, RewardRule } from "./model";
import type { RewardStore } from "./ports";
import { assertRewardValid, type RewardContext } from "./validation";

/**
 * Shop staff manage the catalog. A rule is checked whole before anything is written and then
 * written as one conditional item, so a refused save changes nothing; each change is audited
 * with the admin as actor.
 */

export interface RewardAdminDependencies {
  store: RewardStore;
  audit: Pick<AuditTrail, "appendAuditEvent">;
  context: RewardContext;
  now: () => Date;
}

export interface RewardEditor {
  /** The token's subject: stable across email changes. */
  id: string;
  label: string;
}

async function audited(
  deps: RewardAdminDependencies,
  editor: RewardEditor,
  rule: RewardRule,
  type: string,
  detail: string,
): Promise<void> {
  await deps.audit.appendAuditEvent({
    subject: { type: "reward", id: rule.rewardId },
    type,
    actor: { kind: "admin", id: editor.id },
    outcome: "succeeded",
    detail: `${detail} by ${editor.label}`,
    data: { version: rule.version, active: rule.active, couponType: rule.coupon.type, by: editor.label },
  });
}

export async function createReward(
  deps: RewardAdminDependencies,
  editor: RewardEditor,
  input: RewardInput & { rewardId?: string },
): Promise<RewardRule> {
  const { rewardId, ...fields } = input;
  assertRewardValid(fields, deps.context);
  const now = deps.now().toISOString();
  const rule = await deps.store.createReward({
    ...fields,
    rewardId: rewardId ?? `rw-${newConversionId().slice(0, 10).toLowerCase()}`,
    version: 1,
    createdAt: now,
    updatedAt: now,
    createdBy: editor.label,
    updatedBy: editor.label,
  });
  await audited(deps, editor, rule, "reward.created", `${rule.coupon.type} reward created`);
  return rule;
}

export async function replaceReward(
  deps: RewardAdminDependencies,
  editor: RewardEditor,
  rewardId: string,
  input: RewardInput & { version?: number },
): Promise<RewardRule> {
  const { version: expected, ...fields } = input;
  assertRewardValid(fields, deps.context);
  const current = await deps.store.getReward(rewardId);
  if (!current) throw new NotFound("reward_not_found", `No reward ${rewardId}`);
  // Without a version the change applies over what was just read; with one, over that version only.
  const basedOn = expected ?? current.version;
  const rule = await deps.store.replaceReward(
    {
      ...fields,
      rewardId,
      version: basedOn + 1,
      createdAt: current.createdAt,
      createdBy: current.createdBy,
      updatedAt: deps.now().toISOString(),
      updatedBy: editor.label,
    },
    basedOn,
  );
  const type =
    current.active === rule.active
      ? "reward.updated"
      : rule.active
        ? "reward.activated"
        : "reward.deactivated";
  await audited(deps, editor, rule, type, `${type.replace("reward.", "")} (version ${rule.version})`);
  return rule;
}

export async function getReward(
  store: Pick<RewardStore, "getReward">,
  rewardId: string,
): Promise<RewardRule> {
  const rule = await store.getReward(rewardId);
  if (!rule) throw new NotFound("reward_not_found", `No reward ${rewardId}`);
  return rule;
}
