import type { FunctionSpec, RouteSpec, StateMachineSpec } from "./types";

/** Shop staff: coupon search and inspection, conversions, manual point adjustments. */
export const functions = {} as const satisfies Record<string, FunctionSpec>;

export const routes: readonly RouteSpec<keyof typeof functions>[] = [];

export const stateMachines = {} as const satisfies Record<string, StateMachineSpec<keyof typeof functions>>;
