/**
 * Errors of the domain. Each class carries its own name as a literal `name` (bundles are minified
 * and class names do not survive), so that a task Lambda's thrown error matches the `ErrorEquals`
 * of the state machine and logs name it; each carries the HTTP mapping used at the edge.
 * `tests/infra/error-names.unit.test.ts` holds every error class of the project to it.
 */
export interface ProblemMapping {
  /** HTTP status the edge answers with. */
  readonly status: number;
  /** Stable machine-readable code, part of the problem body. */
  readonly code: string;
  /** Seconds after which a retry may succeed (Retry-After). */
  readonly retryAfterSeconds?: number;
}

export abstract class LoyaltyError extends Error implements ProblemMapping {
  /** The class's own name, written out: what `ErrorEquals`, the logs and the metrics read. */
  abstract override readonly name: string;
  abstract readonly status: number;
  abstract readonly code: string;
  readonly retryAfterSeconds?: number;
  /** Extra members of the problem body (RFC 9457 extensions), e.g. the conversion it is about. */
  readonly extensions?: Readonly<Record<string, string | number | boolean>>;
  /** A short title for the problem body; the message is the detail. */
  abstract readonly title: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A request the client must fix: 400 unless a subclass says otherwise. */
export class InvalidRequest extends LoyaltyError {
  override readonly name: string = "InvalidRequest";
  readonly status: number;
  readonly code: string;
  readonly title = "Invalid request";
  constructor(code: string, detail: string, status = 400) {
    super(detail);
    this.code = code;
    this.status = status;
  }
}

export class Unauthenticated extends LoyaltyError {
  override readonly name: string = "Unauthenticated";
  readonly status = 401;
  readonly code = "unauthenticated";
  readonly title = "Sign in again";
}

export class Forbidden extends LoyaltyError {
  override readonly name: string = "Forbidden";
  readonly status = 403;
  readonly code = "forbidden";
  readonly title = "Forbidden";
}

export class NotFound extends LoyaltyError {
  override readonly name: string = "NotFound";
  readonly status = 404;
  readonly code: string;
  readonly title = "Not found";
  constructor(code: string, detail: string) {
    super(detail);
    this.code = code;
  }
}

export class Conflict extends LoyaltyError {
  override readonly name: string = "Conflict";
  readonly status = 409;
  readonly code: string;
  readonly title = "Conflict";
  override readonly retryAfterSeconds?: number;
  constructor(code: string, detail: string, retryAfterSeconds?: number) {
    super(detail);
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export class Unprocessable extends LoyaltyError {
  override readonly name: string = "Unprocessable";
  readonly status = 422;
  readonly code: string;
  readonly title = "Request cannot be carried out";
  constructor(code: string, detail: string) {
    super(detail);
    this.code = code;
  }
}

// ---- POS (Smaregi) ----

/** The Shopify customer has no member record at the store. */
export class NotRegistered extends LoyaltyError {
  override readonly name: string = "NotRegistered";
  readonly status = 404;
  readonly code = "not_registered";
  readonly title = "Not registered at the store";
}

/** The POS answered with an error or could not be reached; nothing was changed. */
export class PosUnavailable extends LoyaltyError {
  override readonly name: string = "PosUnavailable";
  readonly status = 503;
  readonly code = "pos_unavailable";
  readonly title = "Store points are temporarily unavailable";
  override readonly retryAfterSeconds = 30;
}

/** A POS read did not answer in time. */
export class PosTimeout extends LoyaltyError {
  override readonly name: string = "PosTimeout";
  readonly status = 504;
  readonly code = "pos_timeout";
  readonly title = "Store points did not answer in time";
}

/** The POS definitely refused a point change (e.g. the balance would go below zero). */
export class PosDeclined extends LoyaltyError {
  override readonly name: string = "PosDeclined";
  readonly status = 422;
  readonly code = "pos_declined";
  readonly title = "The store declined the point change";
}

/** A POS write may or may not have been applied (timeout, 5xx, connection reset). Never retry blindly. */
export class PosOutcomeUnknown extends LoyaltyError {
  override readonly name: string = "PosOutcomeUnknown";
  readonly status = 503;
  readonly code = "pos_outcome_unknown";
  readonly title = "Outcome of the point change is not known yet";
  override readonly retryAfterSeconds = 30;
}

// ---- Shopify ----

/** Shopify could not be reached, answered 5xx, or throttled us; safe to retry. */
export class ShopifyUnavailable extends LoyaltyError {
  override readonly name: string = "ShopifyUnavailable";
  readonly status = 503;
  readonly code = "shopify_unavailable";
  readonly title = "Shopify is temporarily unavailable";
  override readonly retryAfterSeconds = 30;
}

/** Shopify rejected the request with userErrors; retrying the same input will not help. */
export class ShopifyRejected extends LoyaltyError {
  override readonly name: string = "ShopifyRejected";
  readonly status = 502;
  readonly code = "shopify_rejected";
  readonly title = "Shopify rejected the request";
  readonly userErrors: ReadonlyArray<{
    field?: readonly string[] | null;
    message: string;
    code?: string | null;
  }>;
  constructor(
    message: string,
    userErrors: ReadonlyArray<{ field?: readonly string[] | null; message: string; code?: string | null }>,
  ) {
    super(message);
    this.userErrors = userErrors;
  }
}

// ---- Conversion ----

/** The POS balance does not cover the requested points. */
export class InsufficientPoints extends LoyaltyError {
  override readonly name: string = "InsufficientPoints";
  readonly status = 422;
  readonly code = "insufficient_points";
  readonly title = "Not enough points";
}
