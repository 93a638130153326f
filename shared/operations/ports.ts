/**
 * What the reconciler needs from the outside world. Step Functions, DynamoDB and SES adapters
 * implement these; domain tests use in-memory fakes.
 */

import type { CancellationStore } from "../cancellation/ports";
import type { CancellationRecord } from "../cancellation/records";
import type { CancellationOrder } from "../cancellation/saga";
import type { ConversionOrder } from "../conversion/saga";
import type { AdminAlerts } from "../ports";
import type { AuditTrail, ConversionRecord, ConversionStore } from "../store";
import type { Healing } from "./parked";

export type { AdminAlerts };

/** What starting a conversion's saga under its id found. */
export type SagaRun =
  /** No run existed under this name: one is now running. */
  | { readonly state: "started"; readonly executionArn: string }
  /** A run with this name and input has been running since `startedAt`. */
  | { readonly state: "running"; readonly executionArn: string; readonly startedAt: Date }
  /** A run with this name ended (succeeded, failed, timed out or aborted); the name cannot run again. */
  | { readonly state: "ended"; readonly executionArn: string };

export interface SagaRuns<Order> {
  /**
   * Starts the order's saga under the execution name the API uses, with the API's input; starting
   * is idempotent, so this also tells whether and how a run already exists.
   */
  ensureStarted(order: Order): Promise<SagaRun>;
}

export type ConversionSagaRuns = SagaRuns<ConversionOrder>;

export interface ReconcilerDependencies {
  conversions: Pick<ConversionStore, "listConversionsByStatus" | "getConversion">;
  sagas: ConversionSagaRuns;
  /** Settles a parked conversion from the POS, or keeps its code unusable (`parked.ts`). */
  healParked(conversion: ConversionRecord): Promise<Healing>;
  /** Reads a subject's trail to alert once per finding and day, not on every run. */
  audit: Pick<AuditTrail, "appendAuditEvent" | "listAuditEvents">;
  alerts: AdminAlerts;
  now: () => Date;
}

export interface CancellationReconcilerDependencies {
  cancellations: Pick<CancellationStore, "listCancellationsByStatus" | "getCancellation">;
  sagas: SagaRuns<CancellationOrder>;
  /** Settles a parked cancellation from the POS (`parked.ts`). */
  healParked(cancellation: CancellationRecord): Promise<Healing>;
  audit: Pick<AuditTrail, "appendAuditEvent" | "listAuditEvents">;
  alerts: AdminAlerts;
  now: () => Date;
}
