/**
 * What the reconciler needs from the outside world. Step Functions, DynamoDB and SES adapters
 * implement these; domain tests use in-memory fakes.
 */
import type { AdminAlerts } from "../conversion/ports";
import type { ConversionOrder } from "../conversion/saga";
import type { AuditTrail, ConversionStore } from "../store";

export type { AdminAlerts };

/** What starting a conversion's saga under its id found. */
export type SagaRun =
  /** No run existed under this name: one is now running. */
  | { readonly state: "started"; readonly executionArn: string }
  /** A run with this name and input has been running since `startedAt`. */
  | { readonly state: "running"; readonly executionArn: string; readonly startedAt: Date }
  /** A run with this name ended (succeeded, failed, timed out or aborted); the name cannot run again. */
  | { readonly state: "ended"; readonly executionArn: string };

export interface ConversionSagaRuns {
  /**
   * Starts the conversion's saga with the conversion id as the execution name, the way the API
   * does; starting is idempotent, so this also tells whether and how a run already exists.
   */
  ensureStarted(order: ConversionOrder): Promise<SagaRun>;
}

export interface ReconcilerDependencies {
  conversions: Pick<ConversionStore, "listConversionsByStatus" | "getConversion">;
  sagas: ConversionSagaRuns;
  /** Reads a conversion's trail to alert once per finding and day, not on every run. */
  audit: Pick<AuditTrail, "appendAuditEvent" | "listAuditEvents">;
  alerts: AdminAlerts;
  now: () => Date;
}
