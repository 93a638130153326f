import { useEffect, useState } from "preact/hooks";
import type { ApiClient } from "./api";
import { known, useI18n } from "./i18n";
import { type CouponFilter, couponFilters, customerIdOf } from "./lists";
import { navigate } from "./router";
import {
  describedBy,
  ErrorAlert,
  Field,
  formatDate,
  formatMoney,
  formatNumber,
  type Json,
  num,
  StatusBadge,
  str,
} from "./ui";

export interface CouponQuery {
  customerId: string;
  code: string;
  status: CouponFilter;
  cursor?: string;
  page: number;
}

export function couponQueryFrom(params: URLSearchParams): CouponQuery {
  const status = params.get("status") ?? "all";
  return {
    customerId: params.get("customerId") ?? "",
    code: params.get("code") ?? "",
    status: (couponFilters as readonly string[]).includes(status) ? (status as CouponFilter) : "all",
    ...(params.get("cursor") ? { cursor: params.get("cursor") ?? "" } : {}),
    page: Math.max(1, Number(params.get("page") ?? "1") || 1),
  };
}

const hashOf = (query: CouponQuery) => {
  const params = new URLSearchParams();
  if (query.customerId) params.set("customerId", query.customerId);
  if (query.code) params.set("code", query.code);
  params.set("status", query.status);
  if (query.cursor) {
    params.set("cursor", query.cursor);
    params.set("page", String(query.page));
  }
  return `#/coupons?${params}`;
};

/** What a coupon is worth, as staff say it: "¥500 off", "10% off", "Free shipping". */
export function couponValue(lang: "en" | "ja", t: ReturnType<typeof useI18n>["t"], coupon: Json): string {
  const type = str(coupon.type) ?? "fixed_discount";
  const label = known(t, "type_", type);
  if (type === "percentage_discount" && num(coupon.percentage) !== undefined)
    return `${label} ${coupon.percentage}%`;
  if (num(coupon.amount) && type !== "free_shipping")
    return `${label} ${formatMoney(lang, coupon.amount, coupon.currency)}`;
  return label;
}

export function CouponSearch(props: { api: ApiClient; query: CouponQuery }) {
  const { t, lang } = useI18n();
  const { query } = props;
  const [customerId, setCustomerId] = useState(query.customerId);
  const [code, setCode] = useState(query.code);
  const [status, setStatus] = useState<CouponFilter>(query.status);
  const [inputError, setInputError] = useState<string | undefined>();
  const [result, setResult] = useState<{ coupons: Json[]; nextCursor?: string } | undefined>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    setCustomerId(query.customerId);
    setCode(query.code);
    setStatus(query.status);
    const params = new URLSearchParams({ status: query.status, limit: "20" });
    if (query.customerId) params.set("customerId", query.customerId);
    if (query.code) params.set("code", query.code);
    if (query.cursor) params.set("cursor", query.cursor);
    let live = true;
    setLoading(true);
    setError(undefined);
    props.api
      .get<{ coupons: Json[]; nextCursor?: string }>(`/v1/admin/coupons?${params}`)
      .then((body) => live && setResult(body))
      .catch((caught: unknown) => {
        if (!live) return;
        setError(caught);
        setResult(undefined);
      })
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [query.customerId, query.code, query.status, query.cursor]);

  const submit = (event: Event) => {
    event.preventDefault();
    let id = "";
    if (customerId.trim()) {
      const parsed = customerIdOf(customerId);
      if (!parsed) {
        setInputError(t("invalidCustomerId"));
        return;
      }
      id = parsed;
    }
    setInputError(undefined);
    navigate(hashOf({ customerId: id, code: code.trim(), status, page: 1 }));
  };

  return (
    <section aria-labelledby="search-title">
      <h1 id="search-title">{t("searchTitle")}</h1>
      <form class="search" onSubmit={submit} aria-label={t("searchTitle")}>
        <Field
          id="search-customer"
          label={t("searchCustomer")}
          hint={t("searchCustomerHint")}
          error={inputError}
        >
          <input
            id="search-customer"
            name="customerId"
            value={customerId}
            aria-invalid={inputError ? "true" : undefined}
            aria-describedby={describedBy("search-customer", true, inputError)}
            onInput={(event) => setCustomerId(event.currentTarget.value)}
          />
        </Field>
        <Field id="search-code" label={t("searchCode")}>
          <input
            id="search-code"
            name="code"
            value={code}
            onInput={(event) => setCode(event.currentTarget.value)}
          />
        </Field>
        <Field id="search-status" label={t("searchStatus")}>
          <select
            id="search-status"
            name="status"
            value={status}
            onChange={(event) => setStatus(event.currentTarget.value as CouponFilter)}
          >
            {couponFilters.map((filter) => (
              <option key={filter} value={filter}>
                {t(`filter_${filter}`)}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit" class="primary">
          {t("searchSubmit")}
        </button>
      </form>
      <ErrorAlert error={error} />
      {loading ? <p aria-live="polite">{t("loading")}</p> : null}
      {result && !loading ? (
        result.coupons.length === 0 ? (
          <p class="empty">{t("noCoupons")}</p>
        ) : (
          <table class="coupons">
            <caption class="visually-hidden">{t("searchTitle")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("colCode")}</th>
                <th scope="col">{t("colCustomer")}</th>
                <th scope="col">{t("colType")}</th>
                <th scope="col">{t("colPoints")}</th>
                <th scope="col">{t("colStatus")}</th>
                <th scope="col">{t("colCreated")}</th>
                <th scope="col">{t("colExpires")}</th>
              </tr>
            </thead>
            <tbody>
              {result.coupons.map((coupon) => (
                <tr key={str(coupon.code)}>
                  <td>
                    <a href={`#/coupons/${encodeURIComponent(str(coupon.code) ?? "")}`} class="code">
                      {str(coupon.code)}
                    </a>
                  </td>
                  <td>
                    <a href={`#/coupons?customerId=${str(coupon.customerId)}&status=all`}>
                      {str(coupon.customerId)}
                    </a>
                  </td>
                  <td>{couponValue(lang, t, coupon)}</td>
                  <td class="number">{formatNumber(lang, coupon.pointsUsed)}</td>
                  <td>
                    <StatusBadge status={str(coupon.status) ?? ""} />
                  </td>
                  <td>{formatDate(lang, coupon.createdAt)}</td>
                  <td>{formatDate(lang, coupon.expiresAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      ) : null}
      {result ? (
        <nav class="pager" aria-label={t("pageOf", { page: query.page })}>
          <span>{t("pageOf", { page: query.page })}</span>
          {query.cursor ? (
            <a href={hashOf({ ...query, cursor: undefined, page: 1 } as CouponQuery)}>{t("firstPage")}</a>
          ) : null}
          {result.nextCursor ? (
            <a href={hashOf({ ...query, cursor: result.nextCursor, page: query.page + 1 })}>
              {t("nextPage")}
            </a>
          ) : null}
        </nav>
      ) : null}
    </section>
  );
}
