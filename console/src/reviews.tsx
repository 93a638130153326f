import { useEffect, useState } from "preact/hooks";
import { type ApiClient, ApiProblem } from "./api";
import { known, useI18n } from "./i18n";
import { cancellationResolutions, conversionResolutions } from "./lists";
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

/** The two review queues: parked conversions and parked cancellations, each with its resolution form. */
export function Reviews(props: { api: ApiClient; role: Role }) {
  const { t } = useI18n();
  return (
    <section aria-labelledby="reviews-title">
      <h1 id="reviews-title">{t("reviewsTitle")}</h1>
      <p>{t("reviewsIntro")}</p>
      <Queue api={props.api} role={props.role} kind="conversion" />
      <Queue api={props.api} role={props.role} kind="cancellation" />
      <p class="hint">{t("adjustmentsQueueNote")}</p>
    </section>
  );
}

function Queue(props: { api: ApiClient; role: Role; kind: "conversion" | "cancellation" }) {
  const { t } = useI18n();
  const [items, setItems] = useState<Json[] | undefined>();
  const [error, setError] = useState<unknown>();
  const path = props.kind === "conversion" ? "/v1/admin/conversions" : "/v1/admin/cancellations";
  useEffect(() => {
    props.api
      .get<Record<string, Json[]>>(`${path}?status=needs_review&limit=50`)
      .then((body) => setItems(body[props.kind === "conversion" ? "conversions" : "cancellations"] ?? []))
      .catch(setError);
  }, [props.kind]);
  const headingId = `queue-${props.kind}`;
  return (
    <section aria-labelledby={headingId} class="card">
      <h2 id={headingId}>{t(props.kind === "conversion" ? "parkedConversions" : "parkedCancellations")}</h2>
      <ErrorAlert error={error} />
      {items === undefined && !error ? <p>{t("loading")}</p> : null}
      {items?.length === 0 ? <p class="empty">{t("queueEmpty")}</p> : null}
      {items?.map((item) => (
        <ParkedItem
          key={str(item.conversionId) ?? str(item.cancellationId)}
          api={props.api}
          role={props.role}
          kind={props.kind}
          item={item}
        />
      ))}
    </section>
  );
}

function ParkedItem(props: { api: ApiClient; role: Role; kind: "conversion" | "cancellation"; item: Json }) {
  const { t, lang } = useI18n();
  const { item, kind } = props;
  const id = str(kind === "conversion" ? item.conversionId : item.cancellationId) ?? "";
  const outcomes = kind === "conversion" ? conversionResolutions : cancellationResolutions;
  const [outcome, setOutcome] = useState<string>(outcomes[0]);
  const [note, setNote] = useState("");
  const [key, setKey] = useState(newIdempotencyKey);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<Json | undefined>();
  const [noteError, setNoteError] = useState<string | undefined>();
  const points = item.points;
  const when = kind === "conversion" ? (item.deductionStartedAt ?? item.createdAt) : item.requestedAt;
  const base = `${kind}-${id}`;

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setNoteError(undefined);
    try {
      const { body } = await props.api.send<Json>(
        "POST",
        `/v1/admin/${kind === "conversion" ? "conversions" : "cancellations"}/${encodeURIComponent(id)}/resolution`,
        { outcome, note },
        key,
      );
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
        <a href={`#/coupons/${encodeURIComponent(str(item.code) ?? "")}`} class="code">
          {str(item.code)}
        </a>{" "}
        · {t("fieldCustomer")} {str(item.customerId)} · {formatNumber(lang, points)} pt
      </h3>
      <Definitions
        rows={[
          [
            t(kind === "conversion" ? "fieldConversionId" : "fieldCancellationId"),
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
            : ([
                [t("fieldCancelledBy"), str(item.cancelledBy) ?? "—"],
                [t("fieldReason"), known(t, "reason_", str(item.reason) ?? "—")],
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
