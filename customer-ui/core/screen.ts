import {
  ApiProblem,
  type Catalog,
  type ConversionRequest,
  type ConversionView,
  type CouponsPage,
  type LoyaltyApi,
  type PointsSummary,
} from "./api";

/**
 * The points screen as a small state machine, shared by the extension and the theme block. The
 * views only render `ScreenState` and call the actions; every decision (what a 503 means, when to
 * poll, when the session is over) is made here.
 *
 *   loading → ready | pos_unavailable | not_registered | signed_out | failed
 *   pos_unavailable --reload--> loading
 *   ready.conversion: idle → converting → result | pending (polling) → result | refused
 */

export type CouponsSlot =
  | { kind: "loading" }
  | { kind: "loaded"; page: CouponsPage }
  | { kind: "unavailable" };
export type RewardsSlot =
  | { kind: "loading" }
  | { kind: "loaded"; catalog: Catalog }
  | { kind: "unavailable" };

export type ConversionState =
  | { kind: "idle" }
  | { kind: "converting"; request: ConversionRequest }
  | { kind: "pending"; request: ConversionRequest; conversionId: string; slow: boolean }
  | { kind: "needs_review"; conversionId: string }
  | { kind: "result"; request: ConversionRequest; view: ConversionView }
  | { kind: "refused"; request: ConversionRequest; code: string; detail: string };

export type ScreenState =
  | { kind: "loading" }
  | {
      kind: "ready";
      points: PointsSummary;
      rewards: RewardsSlot;
      coupons: CouponsSlot;
      conversion: ConversionState;
    }
  | { kind: "pos_unavailable"; coupons: CouponsSlot; reloading: boolean }
  | { kind: "not_registered"; coupons: CouponsSlot }
  | { kind: "signed_out" }
  | { kind: "failed"; detail: string };

export interface ScreenOptions {
  api: LoyaltyApi;
  /** A fresh Idempotency-Key per conversion the customer asks for. */
  newIdempotencyKey?: () => string;
  sleep?: (ms: number) => Promise<void>;
  /** Polls of a 202 conversion before the screen says "it will appear under My coupons". */
  maxPolls?: number;
  /** Wait between polls when the API sends no Retry-After. */
  pollIntervalMs?: number;
}

export interface PointsScreen {
  readonly state: ScreenState;
  subscribe(listener: (state: ScreenState) => void): () => void;
  load(): Promise<void>;
  reload(): Promise<void>;
  convert(request: ConversionRequest): Promise<void>;
  /** Back from a result or a refusal to the form. */
  dismiss(): void;
}

const POS_DOWN_STATUSES = new Set([502, 503, 504]);

/** True when the answer means "the POS cannot be read now", not "you cannot have points". */
const isPosUnavailable = (error: unknown) =>
  error instanceof ApiProblem &&
  (POS_DOWN_STATUSES.has(error.status) || error.code === "pos_unavailable" || error.code === "pos_timeout");

const isSignedOut = (error: unknown) => error instanceof ApiProblem && error.status === 401;

const settle = async <T>(
  promise: Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> => {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
};

export function createPointsScreen(options: ScreenOptions): PointsScreen {
  const { api } = options;
  const newKey = options.newIdempotencyKey ?? (() => crypto.randomUUID());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const maxPolls = options.maxPolls ?? 30;
  const pollIntervalMs = options.pollIntervalMs ?? 2000;
  const listeners = new Set<(state: ScreenState) => void>();
  let state: ScreenState = { kind: "loading" };
  /** Each load gets a number; an older load finishing late must not overwrite a newer one. */
  let generation = 0;

  const set = (next: ScreenState) => {
    state = next;
    for (const listener of listeners) listener(state);
  };

  const couponsSlot = (result: Awaited<ReturnType<typeof settle<CouponsPage>>>): CouponsSlot =>
    result.ok ? { kind: "loaded", page: result.value } : { kind: "unavailable" };

  /**
   * Points, rewards and coupons are asked for at once, and the balance is shown as soon as it
   * arrives: the rewards (another POS read) and the coupons fill in behind it.
   */
  const load = async () => {
    const mine = ++generation;
    const pointsAnswer = settle(api.points());
    const rewardsAnswer = settle(api.rewards());
    const couponsAnswer = settle(api.coupons());
    const points = await pointsAnswer;
    if (mine !== generation) return;
    if (!points.ok) {
      const coupons = await couponsAnswer;
      if (mine !== generation) return;
      const { error } = points;
      if (isSignedOut(error) || (!coupons.ok && isSignedOut(coupons.error)))
        return set({ kind: "signed_out" });
      if (error instanceof ApiProblem && error.code === "not_registered") {
        return set({ kind: "not_registered", coupons: couponsSlot(coupons) });
      }
      if (isPosUnavailable(error) || (error instanceof ApiProblem && error.code === "network_error")) {
        return set({ kind: "pos_unavailable", coupons: couponsSlot(coupons), reloading: false });
      }
      return set({ kind: "failed", detail: error instanceof Error ? error.message : String(error) });
    }
    const previous = state.kind === "ready" ? state : undefined;
    set({
      kind: "ready",
      points: points.value,
      rewards: previous?.rewards ?? { kind: "loading" },
      coupons: previous?.coupons ?? { kind: "loading" },
      conversion: previous?.conversion ?? { kind: "idle" },
    });
    const [rewards, coupons] = await Promise.all([rewardsAnswer, couponsAnswer]);
    if (mine !== generation || state.kind !== "ready") return;
    if (!coupons.ok && isSignedOut(coupons.error)) return set({ kind: "signed_out" });
    set({
      ...state,
      rewards: rewards.ok ? { kind: "loaded", catalog: rewards.value } : { kind: "unavailable" },
      coupons: couponsSlot(coupons),
    });
  };

  const setConversion = (conversion: ConversionState) => {
    if (state.kind === "ready") set({ ...state, conversion });
  };

  /** After a coupon is issued: the new balance at once, then the lists refreshed behind it. */
  const showResult = async (request: ConversionRequest, view: ConversionView) => {
    if (state.kind === "ready" && view.balance) {
      set({
        ...state,
        points: { ...state.points, balance: view.balance.after },
        conversion: { kind: "result", request, view },
      });
    } else setConversion({ kind: "result", request, view });
    await load();
  };

  const refuse = (request: ConversionRequest, error: unknown) => {
    if (isSignedOut(error)) return set({ kind: "signed_out" });
    const code = error instanceof ApiProblem ? error.code : "other";
    const detail = error instanceof Error ? error.message : String(error);
    setConversion({ kind: "refused", request, code, detail });
    // A refusal often means the balance moved (points used at the till): show the current one.
    return load();
  };

  const followUp = async (request: ConversionRequest, view: ConversionView, retryAfterSeconds?: number) => {
    let current = view;
    let waitMs = retryAfterSeconds !== undefined ? retryAfterSeconds * 1000 : pollIntervalMs;
    for (let poll = 0; poll < maxPolls; poll++) {
      if (current.status === "completed") return showResult(request, current);
      if (current.status === "failed") {
        return setConversion({
          kind: "refused",
          request,
          code: current.failure?.code ?? "conversion_failed",
          detail: current.failure?.detail ?? "",
        });
      }
      if (current.status === "needs_review") {
        return setConversion({ kind: "needs_review", conversionId: current.conversionId });
      }
      setConversion({ kind: "pending", request, conversionId: current.conversionId, slow: false });
      await sleep(waitMs);
      waitMs = pollIntervalMs;
      try {
        current = await api.conversion(current.conversionId);
      } catch (error) {
        if (isSignedOut(error)) return set({ kind: "signed_out" });
        // A failed poll is not a failed conversion: keep polling.
      }
    }
    setConversion({ kind: "pending", request, conversionId: current.conversionId, slow: true });
  };

  return {
    get state() {
      return state;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    load,
    async reload() {
      if (state.kind === "pos_unavailable") set({ ...state, reloading: true });
      else if (state.kind !== "ready") set({ kind: "loading" });
      await load();
    },
    async convert(request) {
      if (state.kind !== "ready") return;
      const busy = state.conversion.kind === "converting" || state.conversion.kind === "pending";
      if (busy) return;
      setConversion({ kind: "converting", request });
      let answer: Awaited<ReturnType<LoyaltyApi["convert"]>>;
      try {
        answer = await api.convert(request, newKey());
      } catch (error) {
        return refuse(request, error);
      }
      if (answer.status === 201) return showResult(request, answer.view);
      await followUp(request, answer.view, answer.retryAfterSeconds);
    },
    dismiss() {
      if (state.kind === "ready") setConversion({ kind: "idle" });
    },
  };
}

export interface AmountRules {
  balance: number;
  /** Points convert in steps of this (100 by default, as the API's rules). */
  unit: number;
  /** Per day per customer (10,000 by default); the API is the judge of what is left today. */
  dailyLimit: number;
}

export type AmountProblem =
  | { reason: "empty" }
  | { reason: "step"; unit: number }
  | { reason: "minimum"; min: number }
  | { reason: "balance"; balance: number }
  | { reason: "daily"; limit: number };

/** Why an amount typed by the customer cannot be converted, or undefined when it can be tried. */
export function amountProblem(raw: string | number, rules: AmountRules): AmountProblem | undefined {
  const text = String(raw)
    .trim()
    .replace(/[,，\s]/g, "");
  if (text === "") return { reason: "empty" };
  const points = Number(text);
  if (!Number.isFinite(points) || !Number.isInteger(points)) return { reason: "step", unit: rules.unit };
  if (points < rules.unit) return { reason: "minimum", min: rules.unit };
  if (points % rules.unit !== 0) return { reason: "step", unit: rules.unit };
  if (points > rules.balance) return { reason: "balance", balance: rules.balance };
  if (points > rules.dailyLimit) return { reason: "daily", limit: rules.dailyLimit };
  return undefined;
}

/** The most points the form offers: the balance rounded down to the unit, capped by the day's limit. */
export function maxConvertible(rules: AmountRules): number {
  return Math.min(Math.floor(rules.balance / rules.unit) * rules.unit, rules.dailyLimit);
}
