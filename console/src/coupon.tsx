import { useEffect, useState } from "preact/hooks";
import { type ApiClient, ApiProblem } from "./api";
import { couponValue } from "./coupons";
import { known, type Translate, useI18n } from "./i18n";
import { stepFunctionsLink } from "./links";
import { cancelReasons } from "./lists";
import type { Role } from "./session";
import {
  Alert,
  Definitions,
  Dialog,
  ErrorAlert,
  Field,
  formatDate,
  formatNumber,
  type Json,
  newIdempotencyKey,
  StatusBadge,
  str,
} from "./ui";

interface Inspection {
  coupon: Json | null;
  conversion: Json | null;
  execution: { name: string; arn: string | null };
  trail: Json[];
}

const whyNotCancellable: Record<string, Parameters<Translate>[0]> = {
  used: "cancelWhyUsed",
  cancelled: "cancelWhyCancelled",
  expired: "cancelWhyExpired",
  cancelling: "cancelWhyCancelling",
  inactive: "cancelWhyInactive",
};

const emailOutcome = (trail: Json[]) =>
  [...trail].reverse().find((event) => event.type === "customer.notified");

export function CouponDetail(props: {
  api: ApiClient;
  code: string;
  role: Role;
  stepFunctionsConsole: boolean;
}) {
  const { t, lang } = useI18n();
  const [inspection, setInspection] = useState<Inspection | undefined>();
  const [error, setError] = useState<unknown>();
  const [reload, setReload] = useState(0);

  useEffect(() => {
    let live = true;
    setError(undefined);
    props.api
      .get<Inspection>(`/v1/admin/coupons/${encodeURIComponent(props.code)}`)
      .then((body) => live && setInspection(body))
      .catch((caught: unknown) => live && setError(caught));
    return () => {
      live = false;
    };
  }, [props.code, reload]);

  if (error) {
    return (
      <section>
        <h1>{t("detailTitle", { code: props.code })}</h1>
        {error instanceof ApiProblem && error.code === "coupon_not_found" ? (
          <Alert kind="error">{t("notFoundCoupon")}</Alert>
        ) : (
          <ErrorAlert error={error} />
        )}
        <p>
          <a href="#/coupons">{t("backToSearch")}</a>
        </p>
      </section>
    );
  }
  if (!inspection) return <p aria-live="polite">{t("loading")}</p>;
  const { coupon, conversion, execution, trail } = inspection;
  const code = str(coupon?.code) ?? props.code;

  return (
    <section aria-labelledby="detail-title">
      <p>
        <a href="#/coupons">{t("backToSearch")}</a>
      </p>
      <h1 id="detail-title">{t("detailTitle", { code })}</h1>
      <div class="columns">
        {coupon ? (
          <section aria-labelledby="coupon-heading" class="card">
            <h2 id="coupon-heading">{t("couponSection")}</h2>
            <Definitions
              rows={[
                [t("fieldCode"), <span class="code">{code}</span>],
                [t("fieldStatus"), <StatusBadge status={str(coupon.status) ?? ""} />],
                [
                  t("fieldCustomer"),
                  <a href={`#/coupons?customerId=${str(coupon.customerId)}&status=all`}>
                    {str(coupon.customerId)}
                  </a>,
                ],
                [t("fieldValue"), couponValue(lang, t, coupon)],
                [t("fieldPoints"), formatNumber(lang, coupon.pointsUsed)],
                ...(str(coupon.rewardId)
                  ? [[t("fieldReward"), str(coupon.rewardId)] as [string, string]]
                  : []),
                [t("fieldStarts"), formatDate(lang, coupon.startsAt)],
                [t("fieldExpires"), formatDate(lang, coupon.expiresAt)],
                [t("fieldCreated"), formatDate(lang, coupon.createdAt)],
                ...(coupon.usedAt
                  ? [[t("fieldUsed"), formatDate(lang, coupon.usedAt)] as [string, string]]
                  : []),
                ...(coupon.orderId ? [[t("fieldOrder"), str(coupon.orderId) ?? ""] as [string, string]] : []),
                ...(coupon.cancelledAt
                  ? ([
                      [t("fieldCancelled"), formatDate(lang, coupon.cancelledAt)],
                      [t("fieldCancelledBy"), str(coupon.cancelledBy) ?? "—"],
                      [t("fieldReason"), known(t, "reason_", str(coupon.cancelReason) ?? "")],
                      ...(coupon.cancelNote ? [[t("fieldNote"), str(coupon.cancelNote) ?? ""]] : []),
                    ] as Array<[string, string]>)
                  : []),
                [t("fieldDiscount"), <span class="code">{str(coupon.discountId) ?? "—"}</span>],
              ]}
            />
          </section>
        ) : null}
        {conversion ? <ConversionCard conversion={conversion} /> : null}
      </div>
      {coupon ? (
        <CancelSection
          api={props.api}
          coupon={coupon}
          role={props.role}
          onChanged={() => setReload((n) => n + 1)}
          readTrail={async () =>
            (await props.api.get<Inspection>(`/v1/admin/coupons/${encodeURIComponent(code)}`)).trail
          }
        />
      ) : null}
      <section aria-labelledby="execution-heading" class="card">
        <h2 id="execution-heading">{t("executionSection")}</h2>
        {execution.arn ? (
          props.stepFunctionsConsole ? (
            <p>
              <a href={stepFunctionsLink(execution.arn)} target="_blank" rel="noopener noreferrer">
                {t("openInStepFunctions")}
              </a>{" "}
              <span class="code">{execution.name}</span>
            </p>
          ) : (
            <p>
              {t("executionLocal")}: <span class="code wrap">{execution.arn}</span>
            </p>
          )
        ) : (
          <p>{t("executionNone")}</p>
        )}
      </section>
      <Trail trail={trail} />
    </section>
  );
}

function ConversionCard(props: { conversion: Json }) {
  const { t, lang } = useI18n();
  const c = props.conversion;
  const ids = Array.isArray(c.transactionHeadIds) ? (c.transactionHeadIds as string[]).join(", ") : "—";
  return (
    <section aria-labelledby="conversion-heading" class="card">
      <h2 id="conversion-heading">{t("conversionSection")}</h2>
      <Definitions
        rows={[
          [t("fieldConversionId"), <span class="code wrap">{str(c.conversionId)}</span>],
          [t("fieldConversionStatus"), str(c.status) ?? "—"],
          [
            t("fieldMember"),
            `${str(c.memberNumber) ?? "—"}${c.posCustomerId ? ` (POS ${str(c.posCustomerId)})` : ""}`,
          ],
          [t("fieldPoints"), formatNumber(lang, c.points)],
          [
            t("fieldBalance"),
            `${formatNumber(lang, c.balanceBefore)} → ${formatNumber(lang, c.balanceAfter)}`,
          ],
          [t("fieldTransactions"), <span class="code">{ids}</span>],
          ...(c.reviewReason
            ? [[t("fieldReviewReason"), str(c.reviewReason) ?? ""] as [string, string]]
            : []),
          ...(c.resolvedBy
            ? [
                [
                  t("fieldResolved"),
                  `${str(c.resolvedBy)} · ${formatDate(lang, c.resolvedAt)} · ${str(c.resolutionNote) ?? ""}`,
                ] as [string, string],
              ]
            : []),
          [t("fieldCreated"), formatDate(lang, c.createdAt)],
        ]}
      />
    </section>
  );
}

function Trail(props: { trail: Json[] }) {
  const { t, lang } = useI18n();
  return (
    <section aria-labelledby="trail-heading" class="card">
      <h2 id="trail-heading">{t("trailSection")}</h2>
      {props.trail.length === 0 ? (
        <p>{t("trailEmpty")}</p>
      ) : (
        <ol class="timeline">
          {props.trail.map((event) => {
            const actor = (event.actor ?? {}) as Json;
            const ids = Object.entries((event.externalIds ?? {}) as Json);
            return (
              <li key={str(event.eventId)} class={`outcome-${str(event.outcome)}`}>
                <div class="when">
                  <time dateTime={str(event.at)}>{formatDate(lang, event.at, { seconds: true })}</time>
                </div>
                <div class="what">
                  <strong class="event-type">{str(event.type)}</strong>{" "}
                  <span class="outcome">{str(event.outcome)}</span>
                  {event.detail ? <p class="detail">{str(event.detail)}</p> : null}
                  <p class="who">
                    {t("trailWho")}: {str(actor.kind)} · {str(actor.id)}
                  </p>
                  {ids.length > 0 ? (
                    <p class="ids">
                      {t("trailIds")}:{" "}
                      {ids.map(([name, value]) => (
                        <span key={name} class="code">
                          {name}={Array.isArray(value) ? value.join(",") : String(value)}{" "}
                        </span>
                      ))}
                    </p>
                  ) : null}
                </div>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}

interface CancelAnswer {
  status: "cancelled" | "pending" | "needs_review";
  cancellationId: string;
  refundedPoints?: number;
  balanceAfter?: number;
}

function CancelSection(props: {
  api: ApiClient;
  coupon: Json;
  role: Role;
  onChanged: () => void;
  readTrail: () => Promise<Json[]>;
}) {
  const { t, lang } = useI18n();
  const [reason, setReason] = useState<string>("customer_request");
  const [note, setNote] = useState("");
  const [confirming, setConfirming] = useState(false);
  const [key, setKey] = useState(newIdempotencyKey);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [answer, setAnswer] = useState<CancelAnswer | undefined>();
  const [email, setEmail] = useState<Json | undefined>();
  const status = str(props.coupon.status) ?? "";
  const code = str(props.coupon.code) ?? "";

  if (props.role !== "admin") return null;

  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const { body } = await props.api.send<CancelAnswer>(
        "POST",
        `/v1/admin/coupons/${encodeURIComponent(code)}/cancel`,
        { reason, ...(note.trim() ? { note: note.trim() } : {}) },
        key,
      );
      setAnswer(body);
      setConfirming(false);
      if (body.status === "cancelled") {
        // The email is the saga's last step; give it a few seconds to be recorded.
        for (let attempt = 0; attempt < 10; attempt++) {
          const found = emailOutcome(await props.readTrail());
          if (found) {
            setEmail(found);
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
      props.onChanged();
    } catch (caught) {
      setError(caught);
      setConfirming(false);
      setKey(newIdempotencyKey());
    } finally {
      setBusy(false);
    }
  };

  if (answer) {
    return (
      <section aria-labelledby="cancel-heading" class="card">
        <h2 id="cancel-heading">{t("cancelTitle")}</h2>
        {answer.status === "cancelled" ? (
          <Alert kind="success">
            <p>
              <strong>{t("cancelDone")}</strong>
            </p>
            <p>{t("cancelRefunded", { points: formatNumber(lang, answer.refundedPoints) })}</p>
            <p>{t("cancelBalance", { balance: formatNumber(lang, answer.balanceAfter) })}</p>
            <p>
              {email === undefined
                ? t("cancelEmailPending")
                : email.outcome === "succeeded"
                  ? t("cancelEmailSent")
                  : t("cancelEmailNotSent", { detail: str(email.detail) ?? str(email.outcome) ?? "" })}
            </p>
          </Alert>
        ) : (
          <Alert kind="info">
            {t("cancelPending", { status: answer.status, id: answer.cancellationId })}
          </Alert>
        )}
      </section>
    );
  }

  const blocked = whyNotCancellable[status];
  return (
    <section aria-labelledby="cancel-heading" class="card">
      <h2 id="cancel-heading">{t("cancelTitle")}</h2>
      {blocked ? (
        <Alert kind="info">{t("cancelNotPossible", { why: t(blocked) })}</Alert>
      ) : (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            setError(undefined);
            setConfirming(true);
          }}
        >
          <Field id="cancel-reason" label={t("cancelReason")}>
            <select
              id="cancel-reason"
              value={reason}
              onChange={(event) => setReason(event.currentTarget.value)}
            >
              {cancelReasons.map((value) => (
                <option key={value} value={value}>
                  {t(`reason_${value}`)}
                </option>
              ))}
            </select>
          </Field>
          <Field id="cancel-note" label={t("cancelNote")}>
            <textarea
              id="cancel-note"
              maxLength={500}
              value={note}
              onInput={(event) => setNote(event.currentTarget.value)}
            />
          </Field>
          <button type="submit" class="danger">
            {t("cancelButton")}
          </button>
        </form>
      )}
      <ErrorAlert error={error} />
      <Dialog
        open={confirming}
        labelledBy="cancel-confirm-title"
        onClose={() => !busy && setConfirming(false)}
      >
        <h2 id="cancel-confirm-title">{t("cancelConfirmTitle", { code })}</h2>
        <p>{t("cancelConfirmPoints", { points: formatNumber(lang, props.coupon.pointsUsed) })}</p>
        <p>{t("cancelConfirmEmail", { customer: str(props.coupon.customerId) ?? "" })}</p>
        <p>{t("cancelConfirmIrreversible")}</p>
        {/* "Keep" comes first: the dialog focuses it, so a stray Enter does not cancel. */}
        <div class="actions">
          <button type="button" disabled={busy} onClick={() => setConfirming(false)}>
            {t("cancelKeep")}
          </button>
          <button type="button" class="danger" disabled={busy} onClick={confirm}>
            {busy ? t("loading") : t("cancelConfirm")}
          </button>
        </div>
      </Dialog>
    </section>
  );
}
