import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { ApiProblem, NetworkProblem } from "./api";
import { known, type Lang, type Translate, useI18n } from "./i18n";

export type Json = Record<string, unknown>;

export const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
export const num = (value: unknown): number | undefined => (typeof value === "number" ? value : undefined);

/** A date as staff read it; `seconds` for audit events, which often share a minute. */
export function formatDate(lang: Lang, value: unknown, options: { seconds?: boolean } = {}): string {
  const text = str(value);
  if (!text) return "—";
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) return text;
  return new Intl.DateTimeFormat(lang === "ja" ? "ja-JP" : "en-GB", {
    dateStyle: "medium",
    timeStyle: options.seconds ? "medium" : "short",
  }).format(date);
}

export function formatNumber(lang: Lang, value: unknown): string {
  const n = num(value);
  return n === undefined ? "—" : new Intl.NumberFormat(lang === "ja" ? "ja-JP" : "en-US").format(n);
}

export function formatMoney(lang: Lang, amount: unknown, currency: unknown): string {
  const n = num(amount);
  if (n === undefined) return "—";
  const code = str(currency) ?? "JPY";
  try {
    return new Intl.NumberFormat(lang === "ja" ? "ja-JP" : "en-US", {
      style: "currency",
      currency: code,
    }).format(n);
  } catch {
    return `${n} ${code}`;
  }
}

/** One sentence for a failed call: the API's own detail, with our explanation of known codes. */
export function problemText(t: Translate, error: unknown): string {
  if (error instanceof NetworkProblem) return t("errorNetwork");
  if (error instanceof ApiProblem) {
    if (error.status === 401) return t("errorSession");
    if (error.code === "forbidden") return `${t("errorForbidden")} (${error.detail})`;
    const why: Record<string, Parameters<Translate>[0]> = {
      already_used: "cancelWhyUsed",
      already_cancelled: "cancelWhyCancelled",
      coupon_expired: "cancelWhyExpired",
      cancellation_in_progress: "cancelWhyCancelling",
      coupon_not_active: "cancelWhyInactive",
      custom_reward_not_cancellable: "cancelWhyCustom",
    };
    if (error.code === "resolution_contradicts_pos") {
      const evidence = str(error.body.posEvidence) ?? "";
      return `${t("resolutionRefused", { evidence })} ${error.detail}`;
    }
    const known = why[error.code];
    const base = known
      ? t("cancelNotPossible", { why: t(known) })
      : error.detail || t("errorGeneric", { status: error.status });
    const detail = known && error.detail ? ` (${error.detail})` : "";
    const instance = str(error.body.instance);
    return `${base}${detail}${instance ? ` · ${t("instance", { instance })}` : ""}`;
  }
  return error instanceof Error ? error.message : String(error);
}

export function Alert(props: { kind: "error" | "success" | "info"; children: ComponentChildren }) {
  return (
    <div class={`alert alert-${props.kind}`} role={props.kind === "error" ? "alert" : "status"}>
      {props.children}
    </div>
  );
}

export function ErrorAlert(props: { error: unknown }) {
  const { t } = useI18n();
  if (props.error === undefined || props.error === null) return null;
  return <Alert kind="error">{problemText(t, props.error)}</Alert>;
}

export function Field(props: {
  id: string;
  label: string;
  error?: string | undefined;
  hint?: string;
  children: ComponentChildren;
}) {
  return (
    <div class={`field${props.error ? " field-invalid" : ""}`}>
      <label for={props.id}>{props.label}</label>
      {props.children}
      {props.hint ? (
        <p class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      {props.error ? (
        <p class="field-error" id={`${props.id}-error`}>
          {props.error}
        </p>
      ) : null}
    </div>
  );
}

/** aria-describedby for a Field's control: its hint and its error. */
export const describedBy = (id: string, hint: boolean, error: string | undefined) =>
  [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;

export function Definitions(props: { rows: Array<[string, ComponentChildren]> }) {
  return (
    <dl class="definitions">
      {props.rows.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

export function StatusBadge(props: { status: string }) {
  const { t } = useI18n();
  // A status this console does not know yet is shown as the API spells it.
  const label = known(t, "status_", props.status);
  return <span class={`badge badge-${props.status}`}>{label}</span>;
}

/** A modal `<dialog>`: the browser traps focus and Escape closes it. */
export function Dialog(props: {
  open: boolean;
  labelledBy: string;
  onClose: () => void;
  children: ComponentChildren;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.open && !dialog.open) dialog.showModal();
    if (!props.open && dialog.open) dialog.close();
  }, [props.open]);
  return (
    <dialog ref={ref} aria-labelledby={props.labelledBy} onClose={props.onClose} onCancel={props.onClose}>
      {props.open ? props.children : null}
    </dialog>
  );
}

export const newIdempotencyKey = () => crypto.randomUUID();
