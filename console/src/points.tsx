import { useState } from "preact/hooks";
import { type ApiClient, ApiProblem } from "./api";
import { useI18n } from "./i18n";
import { adjustmentReasons, customerIdOf } from "./lists";
import { Alert, describedBy, ErrorAlert, Field, formatNumber, type Json, newIdempotencyKey, str } from "./ui";

/** Point grant: add (or take away) points by hand; the answer shows the POS balance after. */
export function PointGrant(props: { api: ApiClient }) {
  const { t, lang } = useI18n();
  const [customer, setCustomer] = useState("");
  const [points, setPoints] = useState("");
  const [reason, setReason] = useState<string>("goodwill");
  const [note, setNote] = useState("");
  const [key, setKey] = useState(newIdempotencyKey);
  const [busy, setBusy] = useState(false);
  /** The last answer was not final: the next press repeats it with the same key. */
  const [repeat, setRepeat] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>();
  const [answer, setAnswer] = useState<{ status: number; body: Json } | undefined>();

  const submit = async (event: Event) => {
    event.preventDefault();
    const customerId = customerIdOf(customer);
    if (!customerId) {
      setErrors({ customer: t("invalidCustomerId") });
      return;
    }
    setBusy(true);
    setErrors({});
    setError(undefined);
    setAnswer(undefined);
    // A number goes as a number; anything else goes as typed, so the API's own message explains it.
    const amount = /^[+-]?\d+$/.test(points.trim()) ? Number(points.trim()) : points.trim();
    try {
      const result = await props.api.send<Json>(
        "POST",
        `/v1/admin/customers/${customerId}/point-adjustments`,
        { points: amount, reason, ...(note.trim() ? { note: note.trim() } : {}) },
        key,
      );
      setAnswer(result);
      setKey(newIdempotencyKey());
      setRepeat(false);
    } catch (caught) {
      const fields = caught instanceof ApiProblem ? caught.fieldErrors() : {};
      if (Object.keys(fields).length > 0) setErrors(fields);
      else setError(caught);
      // A refusal is final for its key: the next grant is a new one. Anything else (no answer, in
      // progress, not applied yet) is repeated with the same key, or a second change could be sent
      // while the first may still land.
      const final = caught instanceof ApiProblem && caught.status < 500 && caught.status !== 409;
      if (final) setKey(newIdempotencyKey());
      setRepeat(!final);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="points-title">
      <h1 id="points-title">{t("pointsTitle")}</h1>
      <p>{t("pointsIntro")}</p>
      <form onSubmit={submit} class="card narrow">
        <Field
          id="points-customer"
          label={t("pointsCustomer")}
          hint={t("searchCustomerHint")}
          error={errors.customer}
        >
          <input
            id="points-customer"
            required
            value={customer}
            aria-invalid={errors.customer ? "true" : undefined}
            aria-describedby={describedBy("points-customer", true, errors.customer)}
            onInput={(event) => setCustomer(event.currentTarget.value)}
          />
        </Field>
        <Field id="points-amount" label={t("pointsAmount")} error={errors.points}>
          <input
            id="points-amount"
            inputMode="numeric"
            required
            value={points}
            aria-invalid={errors.points ? "true" : undefined}
            aria-describedby={describedBy("points-amount", false, errors.points)}
            onInput={(event) => setPoints(event.currentTarget.value)}
          />
        </Field>
        <Field id="points-reason" label={t("pointsReason")} error={errors.reason}>
          <select
            id="points-reason"
            value={reason}
            onChange={(event) => setReason(event.currentTarget.value)}
          >
            {adjustmentReasons.map((value) => (
              <option key={value} value={value}>
                {t(`adj_${value}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="points-note" label={t("pointsNote")} error={errors.note}>
          <textarea
            id="points-note"
            maxLength={500}
            value={note}
            onInput={(event) => setNote(event.currentTarget.value)}
          />
        </Field>
        <button type="submit" class="primary" disabled={busy}>
          {t("pointsSubmit")}
        </button>
      </form>
      <ErrorAlert error={error} />
      {repeat ? <p class="hint">{t("pointsRepeat")}</p> : null}
      {answer ? (
        answer.status === 201 ? (
          <Alert kind="success">
            {t("pointsDone", {
              points: formatNumber(lang, answer.body.points),
              balance: formatNumber(lang, answer.body.balanceAfter),
            })}
          </Alert>
        ) : (
          <Alert kind="info">{t("pointsParked", { id: str(answer.body.adjustmentId) ?? "" })}</Alert>
        )
      ) : null}
    </section>
  );
}
