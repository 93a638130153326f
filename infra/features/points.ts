import { CUSTOMER_WAIT_MEMORY_MB, type FunctionSpec, type RouteSpec } from "./types";

/** The customer's live point balance, and the API's liveness. */
export const functions = {
  health: {
    entry: "functions/health.ts",
    description: "Liveness of the API",
    capabilities: [],
    timeoutSeconds: 3,
  },
  points: {
    entry: "functions/points.ts",
    description: "A signed-in customer's live POS point balance, expiry, rank and history",
    capabilities: ["pos", "shopifyAppSecret"],
    timeoutSeconds: 10,
    memoryMb: CUSTOMER_WAIT_MEMORY_MB,
  },
} as const satisfies Record<string, FunctionSpec>;

export const routes: readonly RouteSpec<keyof typeof functions>[] = [
  { method: "GET", path: "/health", function: "health", auth: "public", throttle: { rate: 10, burst: 20 } },
  {
    method: "GET",
    path: "/v1/me/points",
    function: "points",
    auth: "customer",
    throttle: { rate: 50, burst: 100 },
  },
  {
    method: "GET",
    path: "/v1/customers/{customerId}/points",
    function: "points",
    auth: "customer",
    throttle: { rate: 50, burst: 100 },
  },
];

export const stateMachines = {};
