import { NotRegistered } from "../../shared/errors";
import { httpApi, json } from "../../shared/http/api";
import { catalogFor } from "../../shared/rewards/catalog";
import { customerOf, pointsReader } from "../runtime";
import { rewardStore } from "./root";

/** GET /v1/rewards: the rewards offered now, with what the signed-in customer can afford. */

async function balanceOf(memberNumber: string): Promise<{ balance: number; registered: boolean }> {
  try {
    const member = await pointsReader().findMember(memberNumber);
    return { balance: (await pointsReader().getBalance(member.customerId)).points, registered: true };
  } catch (error) {
    // Not a store member yet: the catalog is still worth showing, with nothing affordable.
    if (error instanceof NotRegistered) return { balance: 0, registered: false };
    throw error;
  }
}

export const handler = httpApi(async function rewardCatalog(event) {
  const customer = await customerOf(event);
  const [rules, { balance, registered }] = await Promise.all([
    rewardStore().listRewards(),
    balanceOf(customer.customerId),
  ]);
  return json(
    200,
    { balance, registered, rewards: catalogFor(rules, balance, new Date()) },
    { vary: "Authorization" },
  );
});
