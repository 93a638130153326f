import type { FunctionSpec, RouteSpec, StateMachineSpec } from "./types";

/** Coupon cancellation by shop staff: the API and the cancellation saga's tasks. */
export const functions = {} as const satisfies Record<string, FunctionSpec>;

export const routes: readonly RouteSpec<keyof typeof functions>[] = [];

export const stateMachines = {} as const satisfies Record<string, StateMachineSpec<keyof typeof functions>>;
