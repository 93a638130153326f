import { useEffect, useState } from "preact/hooks";
import { type ApiClient, ApiProblem } from "./api";
import { known, useI18n } from "./i18n";
import { couponTypes } from "./lists";
import { navigate } from "./router";
import type { Role } from "./session";
import { Alert, describedBy, ErrorAlert, Field, formatNumber, type Json, num, str } from "./ui";

/** The reward catalog: every rule, active or not. */
export function Rewards(props: { api: ApiClient; role: Role }) {
  const { t, lang } = useI18n();
  const [rewards, setRewards] = useState<Json[] | undefined>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    props.api
      .get<{ rewards: Json[] }>("/v1/admin/rewards")
      .then((body) => setRewards(body.rewards))
      .catch(setError);
  }, []);
  return (
    <section aria-labelledby="rewards-title">
      <h1 id="rewards-title">{t("rewardsTitle")}</h1>
      {props.role === "admin" ? (
        <p>
          <a class="button primary" href="#/rewards/new">
            {t("rewardsNew")}
          </a>
        </p>
      ) : null}
      <ErrorAlert error={error} />
      {rewards ? (
        <table>
          <caption class="visually-hidden">{t("rewardsTitle")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("colReward")}</th>
              <th scope="col">{t("colCost")}</th>
              <th scope="col">{t("colCoupon")}</th>
              <th scope="col">{t("colActive")}</th>
              <th scope="col">{t("colVersion")}</th>
              {props.role === "admin" ? (
                <th scope="col">
                  <span class="visually-hidden">{t("edit")}</span>
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody>
            {rewards.map((reward) => {
              const name = (reward.name ?? {}) as Json;
              const cost = (reward.cost ?? {}) as Json;
              const coupon = (reward.coupon ?? {}) as Json;
              const id = str(reward.rewardId) ?? "";
              return (
                <tr key={id}>
                  <td>
                    {str(name[lang]) ?? id} <span class="code muted">{id}</span>
                  </td>
                  <td class="number">
                    {cost.kind === "fixed"
                      ? formatNumber(lang, cost.points)
                      : `${formatNumber(lang, cost.minPoints)}–${formatNumber(lang, cost.maxPoints)}`}
                  </td>
                  <td>{known(t, "type_", str(coupon.type) ?? "")}</td>
                  <td>{reward.active ? t("yes") : t("no")}</td>
                  <td class="number">{num(reward.version)}</td>
                  {props.role === "admin" ? (
                    <td>
                      <a href={`#/rewards/${encodeURIComponent(id)}`} aria-label={`${t("edit")} ${id}`}>
                        {t("edit")}
                      </a>
                    </td>
                  ) : null}
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : error ? null : (
        <p>{t("loading")}</p>
      )}
    </section>
  );
}

/** The form's text fields by the body path the API names in its problems. */
interface RewardForm {
  rewardId: string;
  "name.ja": string;
  "name.en": string;
  "description.ja": string;
  "description.en": string;
  active: boolean;
  activeFrom: string;
  activeUntil: string;
  "cost.kind": "fixed" | "variable";
  "cost.points": string;
  "cost.pointsPerUnit": string;
  "cost.minPoints": string;
  "cost.maxPoints": string;
  "coupon.type": string;
  "coupon.amount": string;
  "coupon.currency": string;
  "coupon.percentage": string;
  "coupon.validityDays": string;
  "coupon.minOrderValue": string;
  more: string;
}

const formCouponFields = ["amount", "currency", "percentage", "validityDays", "minOrderValue"] as const;

function formOf(rule: Json | undefined): RewardForm {
  const name = (rule?.name ?? {}) as Json;
  const description = (rule?.description ?? {}) as Json;
  const cost = (rule?.cost ?? { kind: "fixed" }) as Json;
  const coupon = { ...((rule?.coupon ?? { type: "fixed_discount" }) as Json) };
  const text = (value: unknown) => (value === undefined || value === null ? "" : String(value));
  const form: RewardForm = {
    rewardId: text(rule?.rewardId),
    "name.ja": text(name.ja),
    "name.en": text(name.en),
    "description.ja": text(description.ja),
    "description.en": text(description.en),
    active: rule ? rule.active === true : true,
    activeFrom: text(rule?.activeFrom),
    activeUntil: text(rule?.activeUntil),
    "cost.kind": cost.kind === "variable" ? "variable" : "fixed",
    "cost.points": text(cost.points),
    "cost.pointsPerUnit": text(cost.pointsPerUnit),
    "cost.minPoints": text(cost.minPoints),
    "cost.maxPoints": text(cost.maxPoints),
    "coupon.type": text(coupon.type),
    "coupon.amount": text(coupon.amount),
    "coupon.currency": text(coupon.currency),
    "coupon.percentage": text(coupon.percentage),
    "coupon.validityDays": text(coupon.validityDays),
    "coupon.minOrderValue": text(coupon.minOrderValue),
    more: "",
  };
  delete coupon.type;
  for (const field of formCouponFields) delete coupon[field];
  form.more = Object.keys(coupon).length > 0 ? JSON.stringify(coupon, null, 2) : "";
  return form;
}

/** Numbers as numbers; anything else as typed, so the API's message says what is wrong. */
const numeric = (text: string) => (/^-?\d+(\.\d+)?$/.test(text.trim()) ? Number(text.trim()) : text.trim());

function bodyOf(form: RewardForm, more: Json): Json {
  const present = (text: string) => text.trim() !== "";
  const coupon: Json = { ...more, type: form["coupon.type"] };
  for (const field of formCouponFields) {
    const value = form[`coupon.${field}`];
    if (present(value)) coupon[field] = field === "currency" ? value.trim() : numeric(value);
  }
  const cost: Json =
    form["cost.kind"] === "fixed"
      ? { kind: "fixed", points: numeric(form["cost.points"]) }
      : {
          kind: "variable",
          pointsPerUnit: numeric(form["cost.pointsPerUnit"]),
          minPoints: numeric(form["cost.minPoints"]),
          maxPoints: numeric(form["cost.maxPoints"]),
        };
  return {
    name: { ja: form["name.ja"], en: form["name.en"] },
    description: { ja: form["description.ja"], en: form["description.en"] },
    cost,
    active: form.active,
    ...(present(form.activeFrom) ? { activeFrom: form.activeFrom.trim() } : {}),
    ...(present(form.activeUntil) ? { activeUntil: form.activeUntil.trim() } : {}),
    coupon,
  };
}

export function RewardEditor(props: { api: ApiClient; rewardId: string | undefined; created?: boolean }) {
  const { t } = useI18n();
  const [rule, setRule] = useState<Json | undefined>();
  const [form, setForm] = useState<RewardForm>(formOf(undefined));
  const [loadError, setLoadError] = useState<unknown>();
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState<Json | undefined>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!props.rewardId) return;
    props.api
      .get<Json>(`/v1/admin/rewards/${encodeURIComponent(props.rewardId)}`)
      .then((body) => {
        setRule(body);
        setForm(formOf(body));
      })
      .catch(setLoadError);
  }, [props.rewardId]);

  const set = <K extends keyof RewardForm>(name: K, value: RewardForm[K]) =>
    setForm((f) => ({ ...f, [name]: value }));

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    setSaved(undefined);
    let more: Json = {};
    if (form.more.trim()) {
      try {
        const parsed: unknown = JSON.parse(form.more);
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("{ … }");
        more = parsed as Json;
      } catch (caught) {
        setFieldErrors({
          more: t("rewardInvalidJson", { detail: caught instanceof Error ? caught.message : "" }),
        });
        return;
      }
    }
    setFieldErrors({});
    setBusy(true);
    const body = bodyOf(form, more);
    try {
      const answer = props.rewardId
        ? await props.api.send<Json>("PUT", `/v1/admin/rewards/${encodeURIComponent(props.rewardId)}`, {
            ...body,
            ...(num(rule?.version) ? { version: rule?.version } : {}),
          })
        : await props.api.send<Json>("POST", "/v1/admin/rewards", {
            ...body,
            ...(form.rewardId.trim() ? { rewardId: form.rewardId.trim() } : {}),
          });
      setRule(answer.body);
      setSaved(answer.body);
      // The new rule's own page, which says it was just created.
      if (!props.rewardId)
        navigate(`#/rewards/${encodeURIComponent(str(answer.body.rewardId) ?? "")}?created`);
    } catch (caught) {
      const fields = caught instanceof ApiProblem ? caught.fieldErrors() : {};
      setFieldErrors(fields);
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  if (loadError) return <ErrorAlert error={loadError} />;
  if (props.rewardId && !rule) return <p>{t("loading")}</p>;

  /** Errors the form has no field for are listed at the top with the API's own words. */
  const shown = new Set<string>();
  const errorOf = (path: string) => {
    const own = Object.entries(fieldErrors).filter(
      ([field]) => field === path || field.startsWith(`${path}.`),
    );
    for (const [field] of own) shown.add(field);
    return own.length > 0
      ? own.map(([field, message]) => (field === path ? message : `${field}: ${message}`)).join("; ")
      : undefined;
  };
  const text = (
    path: Exclude<keyof RewardForm, "active" | "cost.kind">,
    label: string,
    options: { multiline?: boolean; hint?: string } = {},
  ) => {
    const id = `reward-${path.replace(".", "-")}`;
    const message = errorOf(path === "more" ? "more" : path);
    const common = {
      id,
      name: path,
      value: form[path],
      "aria-invalid": message ? ("true" as const) : undefined,
      "aria-describedby": describedBy(id, Boolean(options.hint), message),
    };
    return (
      <Field id={id} label={label} error={message} {...(options.hint ? { hint: options.hint } : {})}>
        {options.multiline ? (
          <textarea {...common} rows={4} onInput={(event) => set(path, event.currentTarget.value)} />
        ) : (
          <input {...common} onInput={(event) => set(path, event.currentTarget.value)} />
        )}
      </Field>
    );
  };

  const title = props.rewardId ? t("rewardEdit", { id: props.rewardId }) : t("rewardCreate");
  const fields = (
    <>
      {props.rewardId ? null : text("rewardId", t("rewardId"))}
      <div class="columns">
        {text("name.ja", t("rewardNameJa"))}
        {text("name.en", t("rewardNameEn"))}
        {text("description.ja", t("rewardDescJa"))}
        {text("description.en", t("rewardDescEn"))}
      </div>
      <div class="field checkbox">
        <input
          id="reward-active"
          type="checkbox"
          checked={form.active}
          onChange={(event) => set("active", event.currentTarget.checked)}
        />
        <label for="reward-active">{t("rewardActive")}</label>
      </div>
      <div class="columns">
        {text("activeFrom", t("rewardActiveFrom"))}
        {text("activeUntil", t("rewardActiveUntil"))}
      </div>
      <fieldset>
        <legend>{t("rewardCostKind")}</legend>
        <label class="choice">
          <input
            type="radio"
            name="cost-kind"
            checked={form["cost.kind"] === "fixed"}
            onChange={() => set("cost.kind", "fixed")}
          />{" "}
          {t("costFixed")}
        </label>
        <label class="choice">
          <input
            type="radio"
            name="cost-kind"
            checked={form["cost.kind"] === "variable"}
            onChange={() => set("cost.kind", "variable")}
          />{" "}
          {t("costVariable")}
        </label>
        {form["cost.kind"] === "fixed" ? (
          text("cost.points", t("rewardPoints"))
        ) : (
          <div class="columns">
            {text("cost.pointsPerUnit", t("rewardPointsPerUnit"))}
            {text("cost.minPoints", t("rewardMinPoints"))}
            {text("cost.maxPoints", t("rewardMaxPoints"))}
          </div>
        )}
      </fieldset>
      <fieldset>
        <legend>{t("colCoupon")}</legend>
        <Field id="reward-coupon-type" label={t("rewardCouponType")} error={errorOf("coupon.type")}>
          <select
            id="reward-coupon-type"
            value={form["coupon.type"]}
            onChange={(event) => set("coupon.type", event.currentTarget.value)}
          >
            {couponTypes.map((type) => (
              <option key={type} value={type}>
                {known(t, "type_", type)}
              </option>
            ))}
          </select>
        </Field>
        <div class="columns">
          {text("coupon.amount", t("rewardAmount"))}
          {text("coupon.currency", t("rewardCurrency"))}
          {text("coupon.percentage", t("rewardPercentage"))}
          {text("coupon.validityDays", t("rewardValidityDays"))}
          {text("coupon.minOrderValue", t("rewardMinOrder"))}
        </div>
        {text("more", t("rewardMore"), { multiline: true, hint: t("rewardMoreHint") })}
      </fieldset>
    </>
  );
  // Problems about properties the form shows only inside the JSON box (or none) go on top.
  const unplaced = Object.entries(fieldErrors).filter(([field]) => !shown.has(field));

  return (
    <section aria-labelledby="reward-title">
      <p>
        <a href="#/rewards">{t("rewardsTitle")}</a>
      </p>
      <h1 id="reward-title">{title}</h1>
      {error && Object.keys(fieldErrors).length > 0 ? (
        <Alert kind="error">
          <p>{t("rewardErrors")}</p>
          {unplaced.length > 0 ? (
            <ul>
              {unplaced.map(([field, message]) => (
                <li key={field}>
                  <span class="code">{field}</span>: {message}
                </li>
              ))}
            </ul>
          ) : null}
        </Alert>
      ) : (
        <ErrorAlert error={error} />
      )}
      {saved ? <Alert kind="success">{t("rewardSaved", { version: num(saved.version) ?? "" })}</Alert> : null}
      {!saved && props.created && rule ? (
        <Alert kind="success">{t("rewardCreated", { id: str(rule.rewardId) ?? "" })}</Alert>
      ) : null}
      <form onSubmit={submit} class="card" noValidate>
        {fields}
        <button type="submit" class="primary" disabled={busy}>
          {t("rewardSave")}
        </button>
      </form>
    </section>
  );
}
