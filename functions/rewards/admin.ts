import { rewardListSchema } from "../../shared/api/rewards";
import { adminLabel } from "../../shared/auth/admin";
import { InvalidRequest } from "../../shared/errors";
import { httpApi, json, parseBody, pathParameter } from "../../shared/http/api";
import { createReward, getReward, replaceReward } from "../../shared/rewards/admin";
import { rewardIdSchema } from "../../shared/rewards/coupon";
import { newRewardSchema, replaceRewardSchema } from "../../shared/rewards/model";
import { adminOf, auditTrail } from "../runtime";
import { rewardContext, rewardStore } from "./root";

/**
 * GET/POST /v1/admin/rewards and GET/PUT /v1/admin/rewards/{rewardId}: the reward rules.
 * Viewers read; only admins change a rule.
 */

const location = (rewardId: string) => `/v1/admin/rewards/${rewardId}`;

export const handler = httpApi(async function manageRewards(event) {
  const method = event.requestContext.http.method;
  const rewardId =
    event.pathParameters?.rewardId === undefined
      ? undefined
      : pathParameter(event, "rewardId", rewardIdSchema);
  if (method === "GET") {
    adminOf(event, "viewer");
    if (rewardId === undefined) {
      return json(200, rewardListSchema.parse({ rewards: await rewardStore().listRewards() }));
    }
    return json(200, await getReward(rewardStore(), rewardId));
  }

  const admin = adminOf(event, "admin");
  const deps = { store: rewardStore(), audit: auditTrail(), context: rewardContext(), now: () => new Date() };
  const editor = { id: admin.id, label: adminLabel(admin) };
  if (method === "POST" && rewardId === undefined) {
    const rule = await createReward(deps, editor, parseBody(event, newRewardSchema));
    return json(201, rule, { location: location(rule.rewardId) });
  }
  if (method === "PUT" && rewardId !== undefined) {
    return json(200, await replaceReward(deps, editor, rewardId, parseBody(event, replaceRewardSchema)));
  }
  throw new InvalidRequest("invalid_request", `${method} is not supported here`);
});
