import type { FunctionSpec, RouteSpec, StateMachineSpec } from "./types";

/** Operations: the scheduled reconciler and other functions no route calls. */
export const functions = {} as const satisfies Record<string, FunctionSpec>;

export const routes: readonly RouteSpec<keyof typeof functions>[] = [];

export const stateMachines = {} as const satisfies Record<string, StateMachineSpec<keyof typeof functions>>;
