import { type DocumentNode, Kind, type OperationDefinitionNode, type SelectionSetNode } from "graphql";

/**
 * Query cost and the leaky bucket behind Shopify's `extensions.cost` (research §4). The cost model
 * is simplified: creates cost 20 and other mutations 10, as captured on a dev store; a query costs
 * one point per object field it selects (scalars are free), at least 1.
 */

export interface BucketOptions {
  maximumAvailable: number;
  restoreRate: number;
}

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export interface QueryCost {
  requestedQueryCost: number;
  actualQueryCost: number | null;
  throttleStatus: ThrottleStatus;
}

export class LeakyBucket {
  private available: number;
  private updatedAt: number;

  constructor(
    private readonly options: BucketOptions,
    private readonly clock: () => number = Date.now,
  ) {
    this.available = options.maximumAvailable;
    this.updatedAt = clock();
  }

  private refill(): void {
    const now = this.clock();
    const restored = ((now - this.updatedAt) / 1000) * this.options.restoreRate;
    this.available = Math.min(this.options.maximumAvailable, this.available + restored);
    this.updatedAt = now;
  }

  /** Takes `cost` points if they are there; nothing is taken otherwise. */
  tryTake(cost: number): boolean {
    this.refill();
    if (cost > this.available) return false;
    this.available -= cost;
    return true;
  }

  status(): ThrottleStatus {
    this.refill();
    return {
      maximumAvailable: this.options.maximumAvailable,
      currentlyAvailable: Math.floor(this.available),
      restoreRate: this.options.restoreRate,
    };
  }

  /** Empties or refills the bucket (control API and tests). */
  setAvailable(points: number): void {
    this.available = Math.max(0, Math.min(points, this.options.maximumAvailable));
    this.updatedAt = this.clock();
  }

  reset(): void {
    this.setAvailable(this.options.maximumAvailable);
  }
}

const CREATE_COST = 20;
const MUTATION_COST = 10;

export function firstOperation(
  document: DocumentNode,
  operationName?: string,
): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  );
  return operationName ? operations.find((op) => op.name?.value === operationName) : operations[0];
}

/** Name of the first root field, which the control API uses as the operation name. */
export function rootFieldName(operation: OperationDefinitionNode): string {
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind === Kind.FIELD) return selection.name.value;
  }
  return operation.operation;
}

export function requestedCost(document: DocumentNode, operation: OperationDefinitionNode): number {
  if (operation.operation === "mutation") {
    let cost = 0;
    for (const selection of operation.selectionSet.selections) {
      if (selection.kind !== Kind.FIELD) continue;
      cost += /Create$/.test(selection.name.value) ? CREATE_COST : MUTATION_COST;
    }
    return Math.max(cost, MUTATION_COST);
  }
  return Math.max(1, countObjectFields(document, operation.selectionSet, new Set()));
}

function countObjectFields(
  document: DocumentNode,
  selectionSet: SelectionSetNode,
  seen: Set<string>,
): number {
  let count = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.selectionSet) count += 1 + countObjectFields(document, selection.selectionSet, seen);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      count += countObjectFields(document, selection.selectionSet, seen);
    } else if (!seen.has(selection.name.value)) {
      // Fragment spreads: counted once, which also guards against cycles.
      seen.add(selection.name.value);
      const fragment = document.definitions.find(
        (definition) =>
          definition.kind === Kind.FRAGMENT_DEFINITION && definition.name.value === selection.name.value,
      );
      if (fragment && fragment.kind === Kind.FRAGMENT_DEFINITION) {
        count += countObjectFields(document, fragment.selectionSet, seen);
      }
    }
  }
  return count;
}
