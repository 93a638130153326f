import { CUSTOMER_WAIT_MEMORY_MB, type FunctionSpec, type RouteSpec, type StateMachineSpec } from "./types";

/**
 * The reward catalog: rules that issue coupons of every type from points. Conversions by reward
 * go through the conversion feature's API and saga.
 */
export const functions = {
  rewardsAdmin: {
    entry: "functions/rewards/admin.ts",
    description: "Reward rules for shop staff: list, read, create, replace (deactivate)",
    capabilities: ["loyaltyTableRead", "loyaltyTableWrite", "auditAppend"],
    timeoutSeconds: 10,
  },
  rewardCatalog: {
    entry: "functions/rewards/catalog.ts",
    description: "The rewards offered now, with the signed-in customer's affordability",
    capabilities: ["shopifyAppSecret", "loyaltyTableRead", "pos"],
    timeoutSeconds: 10,
    memoryMb: CUSTOMER_WAIT_MEMORY_MB,
  },
  couponValidity: {
    entry: "functions/rewards/coupon-validity.ts",
    description: "Whether one of the signed-in customer's codes is valid now, and why not",
    capabilities: ["shopifyAppSecret", "loyaltyTableRead"],
    timeoutSeconds: 10,
    memoryMb: CUSTOMER_WAIT_MEMORY_MB,
  },
} as const satisfies Record<string, FunctionSpec>;

const admin = { rate: 10, burst: 20 } as const;
const customer = { rate: 50, burst: 100 } as const;

export const routes: readonly RouteSpec<keyof typeof functions>[] = [
  {
    method: "GET",
    path: "/v1/admin/rewards",
    function: "rewardsAdmin",
    auth: "admin:viewer",
    throttle: admin,
  },
  {
    method: "POST",
    path: "/v1/admin/rewards",
    function: "rewardsAdmin",
    auth: "admin:admin",
    throttle: admin,
  },
  {
    method: "GET",
    path: "/v1/admin/rewards/{rewardId}",
    function: "rewardsAdmin",
    auth: "admin:viewer",
    throttle: admin,
  },
  {
    method: "PUT",
    path: "/v1/admin/rewards/{rewardId}",
    function: "rewardsAdmin",
    auth: "admin:admin",
    throttle: admin,
  },
  { method: "GET", path: "/v1/rewards", function: "rewardCatalog", auth: "customer", throttle: customer },
  {
    method: "GET",
    path: "/v1/me/coupons/{code}",
    function: "couponValidity",
    auth: "customer",
    throttle: customer,
  },
];

export const stateMachines = {} as const satisfies Record<string, StateMachineSpec<keyof typeof functions>>;
