/// <reference types="@shopify/ui-extensions/customer-account.profile.block.render" />
/** @jsxImportSource preact */
import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import {
  ApiProblem,
  formatPoints,
  formatShopDate,
  type PointsSummary,
  rankLabel,
  type StringKey,
  t,
} from "../../../customer-ui/core";
import { type Host, localeOf, loyaltyApiFor, setting } from "./host";

/**
 * Target `customer-account.profile.block.render`: the balance, rank and expiry on the profile
 * page, with a link to the full points page.
 */
declare const shopify: Host;

type BlockState =
  | { kind: "loading" }
  | { kind: "ready"; points: PointsSummary }
  | { kind: "pos_unavailable" }
  | { kind: "not_registered" }
  | { kind: "hidden" };

export function ProfileBlock({ host }: { host: Host }) {
  const locale = localeOf(host);
  const tr = (key: StringKey) => t(locale, key);
  const apiUrl = setting(host, "api_url");
  const [state, setState] = useState<BlockState>({ kind: "loading" });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (!apiUrl) return setState({ kind: "hidden" });
    loyaltyApiFor(host, apiUrl)
      .points()
      .then((points) => setState({ kind: "ready", points }))
      .catch((error: unknown) => {
        if (error instanceof ApiProblem && error.code === "not_registered")
          setState({ kind: "not_registered" });
        else if (error instanceof ApiProblem && error.status === 401) setState({ kind: "hidden" });
        else setState({ kind: "pos_unavailable" });
      });
  }, [host, apiUrl, attempt]);

  if (state.kind === "hidden") return null;
  return (
    <s-section heading={tr("page.title")}>
      {state.kind === "loading" ? <s-spinner accessibilityLabel={tr("loading")} /> : null}
      {state.kind === "ready" ? (
        <s-stack direction="block" gap="small-200">
          <s-heading>{formatPoints(state.points.balance, locale)}</s-heading>
          {state.points.rank ? (
            <s-badge>{rankLabel(state.points.rank, state.points.display.rank)}</s-badge>
          ) : null}
          <s-text color="subdued">
            {state.points.expiresOn
              ? t(locale, "points.expires", { date: formatShopDate(state.points.expiresOn, locale) })
              : tr("points.noExpiry")}
          </s-text>
        </s-stack>
      ) : null}
      {state.kind === "pos_unavailable" ? (
        <s-stack direction="block" gap="small-200">
          <s-paragraph>{tr("points.unavailable.title")}</s-paragraph>
          <s-button
            onClick={() => {
              setState({ kind: "loading" });
              setAttempt(attempt + 1);
            }}
          >
            {tr("points.reload")}
          </s-button>
        </s-stack>
      ) : null}
      {state.kind === "not_registered" ? <s-paragraph>{tr("notRegistered.title")}</s-paragraph> : null}
      <s-link href="extension:/">{tr("use.title")}</s-link>
    </s-section>
  );
}

export default async () => {
  render(<ProfileBlock host={shopify} />, document.body);
};
