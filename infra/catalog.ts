/**
 * The single source of truth for the service's Lambdas, HTTP routes and state machines.
 * The CDK stack and the local stack are both built from these tables, so a route or task added
 * here exists in both places. Each feature declares its part in `infra/features/`.
 */
import * as admin from "./features/admin";
import * as cancellation from "./features/cancellation";
import * as conversion from "./features/conversion";
import * as operations from "./features/operations";
import * as points from "./features/points";
import * as rewards from "./features/rewards";
import type {
  RouteSpec as FeatureRouteSpec,
  StateMachineSpec as FeatureStateMachineSpec,
  FunctionSpec,
} from "./features/types";
import * as webhooks from "./features/webhooks";

export {
  type Capability,
  capabilityVariables,
  DEFAULT_MEMORY_MB,
  type FunctionSpec,
  functionMemoryMb,
  type RouteAuth,
} from "./features/types";

const functionSpecs = {
  ...points.functions,
  ...conversion.functions,
  ...cancellation.functions,
  ...admin.functions,
  ...webhooks.functions,
  ...rewards.functions,
  ...operations.functions,
} as const satisfies Record<string, FunctionSpec>;

export type FunctionName = keyof typeof functionSpecs;
export const functions: Readonly<Record<FunctionName, FunctionSpec>> = functionSpecs;

export type RouteSpec = FeatureRouteSpec<FunctionName>;
export type StateMachineSpec = FeatureStateMachineSpec<FunctionName>;

export const routes: readonly RouteSpec[] = [
  ...points.routes,
  ...conversion.routes,
  ...cancellation.routes,
  ...admin.routes,
  ...webhooks.routes,
  ...rewards.routes,
  ...operations.routes,
];

const stateMachineSpecs = {
  ...points.stateMachines,
  ...conversion.stateMachines,
  ...cancellation.stateMachines,
  ...admin.stateMachines,
  ...webhooks.stateMachines,
  ...rewards.stateMachines,
  ...operations.stateMachines,
} as const satisfies Record<string, FeatureStateMachineSpec<FunctionName>>;

export type StateMachineName = keyof typeof stateMachineSpecs;
/** Both stacks register every entry. */
export const stateMachines: Readonly<Record<StateMachineName, StateMachineSpec>> = stateMachineSpecs;

/**
 * The catalog entry `startConversion` functions are bound to. Typed against the catalog, so
 * renaming the saga fails compilation instead of silently unbinding the API.
 */
export const CONVERSION_SAGA = "convertPoints" satisfies StateMachineName;
/** The catalog entry `startCancellation` functions are bound to. */
export const CANCELLATION_SAGA = "cancelCoupon" satisfies StateMachineName;
