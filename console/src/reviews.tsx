import { useEffect, useState } from "preact/hooks";
import { type ApiClient, ApiProblem } from "./api";
import { known, useI18n } from "./i18n";
import { adjustmentResolutions, cancellationResolutions, conversionResolutions } from "./lists";
import type { Role } from "./session";
import {
  Alert,
  Definitions,
  describedBy,
  ErrorAlert,
  Field,
  formatDate,
  formatNumber,
  type Json,
  newIdempotencyKey,
  str,
} from "./ui";

/** The review queues: parked conversions, cancellations and point adjustments, each with its resolution form. */
export function Reviews(props: { api: ApiClient; role: Role }) {
  const { t } = useI18n();
  return (
    <section aria-labelledby="reviews-title">
      <h1 id="reviews-title">{t("reviewsTitle")}</h1>
      <p>{t("reviewsIntro")}</p>
      <Queue api={props.api} role={props.role} kind="conversion" />
      <Queue api={props.api} role={props.role} kind="cancellation" />
      <Queue api={props.api} role={props.role} kind="adjustment" />
    </section>
  );
}

type ParkedKind = "conversion" | "cancellation" | "adjustment";

/** Where each queue is listed and resolved, and how its records name themselves. */
const queues = {
  conversion: {
    list: "/v1/admin/conversions",
    items: "conversions",
    title: "parkedConversions",
    idField: "conversionId",
    outcomes: conversionResolutions,
    resolution: (_item: Json, id: string) => `/v1/admin/conversions/${encodeURIComponent(id)}/resolution`,
  },
  cancellation: {
    list: "/v1/admin/cancellations",
    items: "cancellations",
    title: "parkedCancellations",
    idField: "cancellationId",
    outcomes: cancellationResolutions,
    resolution: (_item: Json, id: string) => `/v1/admin/cancellations/${encodeURIComponent(id)}/resolution`,
  },
  adjustment: {
    list: "/v1/admin/point-adjustments",
    items: "adjustments",
    title: "parkedAdjustments",
    idField: "adjustmentId",
    outcomes: adjustmentResolutions,
    resolution: (item: Json, id: string) =>
      `/v1/admin/customers/${encodeURIComponent(str(item.customerId) ?? "")}/point-adjustments/${encodeURIComponent(id)}/resolution`,
  },
} as const;

function Queue(props: { api: ApiClient; role: Role; kind: ParkedKind }) {
  const { t } = useI18n();
  const [items, setItems] = useState<Json[] | undefined>();
  const [error, setError] = useState<unknown>();
  const queue = queues[props.kind];
  useEffect(() => {
    props.api
      .get<Record<string, Json[]>>(`${queue.list}?status=needs_review&limit=50`)
      .then((body) => setItems(body[queue.items] ?? []))
      .catch(setError);
  }, [props.kind]);
  const headingId = `queue-${props.kind}`;
  return (
    <section aria-labelledby={headingId} class="card">
      <h2 id={headingId}>{t(queue.title)}</h2>
      <ErrorAlert error={error} />
      {items === undefined && !error ? <p>{t("loading")}</p> : null}
      {items?.length === 0 ? <p class="empty">{t("queueEmpty")}</p> : null}
      {items?.map((item) => (
        <ParkedItem
          key={str(item[queue.idField])}
          api={props.api}
          role={props.role}
          kind={props.kind}
          item={item}
        />
      ))}
    </section>
  );
}

function ParkedItem(props: { api: ApiClient; role: Role; kind: ParkedKind; item: Json }) {
  const { t, lang } = useI18n();
  const { item, kind } = props;
  const queue = queues[kind];
  const id = str(item[queue.idField]) ?? "";
  const outcomes: ReadonlyArray<(typeof queue.outcomes)[number]> = queue.outcomes;
  const [outcome, setOutcome] = useState<string>(outcomes[0] ?? "");
  const [note, setNote] = useState("");
  const [key, setKey] = useState(newIdempotencyKey);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<Json | undefined>();
  const [noteError, setNoteError] = useState<string | undefined>();
  const points = item.points;
  const when =
    kind === "conversion"
      ? (item.deductionStartedAt ?? item.createdAt)
      : kind === "cancellation"
        ? item.requestedAt
        : item.createdAt;
  const base = `${kind}-${id}`;

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setNoteError(undefined);
    try {
      const { body } = await props.api.send<Json>("POST", queue.resolution(item, id), { outcome, note }, key);
      setDone(body);
    } catch (caught) {
      const fields = caught instanceof ApiProblem ? caught.fieldErrors() : {};
      if (fields.note) setNoteError(fields.note);
      else setError(caught);
      setKey(newIdempotencyKey());
    } finally {
      setBusy(false);
    }
  };

  return (
    <article class="parked" aria-labelledby={`${base}-title`}>
      <h3 id={`${base}-title`}>
        {kind === "adjustment" ? (
          known(t, "adj_", str(item.reason) ?? "—")
        ) : (
          <a href={`#/coupons/${encodeURIComponent(str(item.code) ?? "")}`} class="code">
            {str(item.code)}
          </a>
        )}{" "}
        · {t("fieldCustomer")} {str(item.customerId)} · {formatNumber(lang, points)} pt
      </h3>
      <Definitions
        rows={[
          [
            t(
              kind === "conversion"
                ? "fieldConversionId"
                : kind === "cancellation"
                  ? "fieldCancellationId"
                  : "fieldAdjustmentId",
            ),
            <span class="code wrap">{id}</span>,
          ],
          [t("fieldReviewReason"), str(item.reviewReason) ?? "—"],
          ...(kind === "conversion"
            ? ([
                [
                  t("fieldMember"),
                  `${str(item.memberNumber) ?? "—"}${item.posCustomerId ? ` (POS ${str(item.posCustomerId)})` : ""}`,
                ],
                [
                  t("fieldBalance"),
                  `${formatNumber(lang, item.balanceBefore)} → ${formatNumber(lang, item.balanceAfter)}`,
                ],
              ] as Array<[string, string]>)
            : kind === "cancellation"
              ? ([
                  [t("fieldCancelledBy"), str(item.cancelledBy) ?? "—"],
                  [t("fieldReason"), known(t, "reason_", str(item.reason) ?? "—")],
                ] as Array<[string, string]>)
              : ([
                  [t("fieldAdjustedPoints"), formatNumber(lang, points)],
                  [t("fieldRequestedBy"), str(item.requestedBy) ?? "—"],
                ] as Array<[string, string]>)),
          [t("fieldRequested"), formatDate(lang, when)],
        ]}
      />
      <p class="hint">
        {t("posEvidenceNote", { points: formatNumber(lang, points), when: formatDate(lang, when) })}
      </p>
      {done ? (
        <Alert kind="success">
          {t("resolved", { status: str(done.status) ?? "" })} · {str(done.resolvedBy)} ·{" "}
          {formatDate(lang, done.resolvedAt)}
        </Alert>
      ) : props.role === "admin" ? (
        <form onSubmit={submit}>
          <fieldset>
            <legend>{t("resolveOutcome")}</legend>
            {outcomes.map((value) => (
              <label key={value} class="choice">
                <input
                  type="radio"
                  name={`${base}-outcome`}
                  value={value}
                  checked={outcome === value}
                  onChange={() => setOutcome(value)}
                />{" "}
                {t(`outcome_${value}`)}
              </label>
            ))}
          </fieldset>
          <Field id={`${base}-note`} label={t("resolveNote")} error={noteError}>
            <textarea
              id={`${base}-note`}
              maxLength={500}
              value={note}
              aria-invalid={noteError ? "true" : undefined}
              aria-describedby={describedBy(`${base}-note`, false, noteError)}
              onInput={(event) => setNote(event.currentTarget.value)}
            />
          </Field>
          <button type="submit" class="primary" disabled={busy}>
            {t("resolveSubmit")}
          </button>
          <ErrorAlert error={error} />
        </form>
      ) : null}
    </article>
  );
}
