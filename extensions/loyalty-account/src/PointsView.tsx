/// <reference types="@shopify/ui-extensions/customer-account.page.render" />
/** @jsxImportSource preact */
import { useEffect, useMemo, useState } from "preact/hooks";
import {
  type AmountProblem,
  amountMessage,
  amountProblem,
  type CatalogReward,
  type ConversionRequest,
  type ConversionState,
  type CouponsSlot,
  couponFacts,
  couponStatusLabel,
  createPointsScreen,
  customerDisplayName,
  formatInstantDate,
  formatPoints,
  formatShopDate,
  formatSignedPoints,
  type Locale,
  maxConvertible,
  type PointsScreen,
  type PointsSummary,
  type RewardsSlot,
  rankLabel,
  refusalText,
  rewardCost,
  type ScreenState,
  type StringKey,
  t,
} from "../../../customer-ui/core";
import {
  type CustomerName,
  fetchCustomerName,
  type Host,
  localeOf,
  loyaltyApiFor,
  numberSetting,
  setting,
} from "./host";

/**
 * The full points page of the customer account extension: Polaris web components over the shared
 * screen state machine. Polaris offers no table; history and coupons are stacked rows.
 */

/** The API's defaults (stage rules); the merchant can set others in the extension's settings. */
const DEFAULT_UNIT = 100;
const DEFAULT_DAILY_LIMIT = 10_000;

function useScreen(host: Host, apiUrl: string): [ScreenState, PointsScreen] {
  const screen = useMemo(() => createPointsScreen({ api: loyaltyApiFor(host, apiUrl) }), [host, apiUrl]);
  const [state, setState] = useState<ScreenState>(screen.state);
  useEffect(() => {
    const unsubscribe = screen.subscribe(setState);
    void screen.load();
    return () => {
      unsubscribe();
    };
  }, [screen]);
  return [state, screen];
}

export function useCustomerName(): CustomerName | undefined {
  const [name, setName] = useState<CustomerName | undefined>(undefined);
  useEffect(() => {
    void fetchCustomerName().then(setName);
  }, []);
  return name;
}

export function PointsPage({ host }: { host: Host }) {
  const locale = localeOf(host);
  const tr = (key: StringKey, values?: Record<string, string | number>) => t(locale, key, values);
  const apiUrl = setting(host, "api_url");
  if (!apiUrl) {
    return (
      <s-page heading={tr("page.title")}>
        <s-banner tone="critical" heading={tr("error.title")}>
          <s-paragraph>{tr("error.body")}</s-paragraph>
        </s-banner>
      </s-page>
    );
  }
  return <ConfiguredPage host={host} apiUrl={apiUrl} locale={locale} />;
}

function ConfiguredPage({ host, apiUrl, locale }: { host: Host; apiUrl: string; locale: Locale }) {
  const [state, screen] = useScreen(host, apiUrl);
  const name = useCustomerName();
  const timeZone = setting(host, "time_zone") ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const tr = (key: StringKey, values?: Record<string, string | number>) => t(locale, key, values);
  const copied = (code: string) => host.toast.show(tr("result.copied", { code }));
  const copyFailed = () => host.toast.show(tr("result.copyFailed"));
  const ctx: ViewContext = {
    locale,
    tr,
    timeZone,
    copied,
    copyFailed,
    screen,
    unit: numberSetting(host, "points_unit", DEFAULT_UNIT),
    dailyLimit: numberSetting(host, "daily_limit", DEFAULT_DAILY_LIMIT),
  };

  return (
    <s-page heading={tr("page.title")}>
      <s-stack direction="block" gap="base">
        <s-heading>{name ? customerDisplayName(name, locale) : tr("greeting.anonymous")}</s-heading>
        <Body state={state} ctx={ctx} />
      </s-stack>
    </s-page>
  );
}

interface ViewContext {
  locale: Locale;
  tr: (key: StringKey, values?: Record<string, string | number>) => string;
  timeZone: string;
  copied: (code: string) => void;
  copyFailed: () => void;
  screen: PointsScreen;
  unit: number;
  dailyLimit: number;
}

function Body({ state, ctx }: { state: ScreenState; ctx: ViewContext }) {
  const { tr, screen } = ctx;
  switch (state.kind) {
    case "loading":
      return <s-spinner accessibilityLabel={tr("loading")} />;
    case "signed_out":
      return (
        <s-banner tone="critical" heading={tr("signedOut.title")}>
          <s-paragraph>{tr("signedOut.body")}</s-paragraph>
          <s-button onClick={() => void screen.reload()}>{tr("signedOut.action")}</s-button>
        </s-banner>
      );
    case "failed":
      return (
        <s-banner tone="critical" heading={tr("error.title")}>
          <s-paragraph>{tr("error.body")}</s-paragraph>
          <s-button onClick={() => void screen.reload()}>{tr("points.reload")}</s-button>
        </s-banner>
      );
    case "not_registered":
      return (
        <s-stack direction="block" gap="base">
          <s-banner tone="info" heading={tr("notRegistered.title")}>
            <s-paragraph>{tr("notRegistered.body")}</s-paragraph>
          </s-banner>
          <Coupons coupons={state.coupons} ctx={ctx} />
        </s-stack>
      );
    case "pos_unavailable":
      return (
        <s-stack direction="block" gap="base">
          <s-banner tone="warning" heading={tr("points.unavailable.title")}>
            <s-paragraph>{tr("points.unavailable.body")}</s-paragraph>
            <s-button loading={state.reloading} onClick={() => void screen.reload()}>
              {tr("points.reload")}
            </s-button>
            <s-paragraph>{tr("inStore")}</s-paragraph>
          </s-banner>
          <Coupons coupons={state.coupons} ctx={ctx} />
        </s-stack>
      );
    case "ready":
      return (
        <s-stack direction="block" gap="base">
          <Balance points={state.points} ctx={ctx} />
          <s-section heading={tr("use.title")}>
            <Conversion conversion={state.conversion} rewards={state.rewards} ctx={ctx} />
            {state.conversion.kind === "idle" ? (
              <UseForm points={state.points} rewards={state.rewards} ctx={ctx} />
            ) : null}
          </s-section>
          <History points={state.points} ctx={ctx} />
          <Coupons coupons={state.coupons} ctx={ctx} />
        </s-stack>
      );
  }
}

function Balance({ points, ctx }: { points: PointsSummary; ctx: ViewContext }) {
  const { locale, tr } = ctx;
  return (
    <s-section heading={tr("points.balance")}>
      <s-stack direction="block" gap="small-200">
        <s-heading>{formatPoints(points.balance, locale)}</s-heading>
        <s-text color="subdued">
          {points.expiresOn
            ? tr("points.expires", { date: formatShopDate(points.expiresOn, locale) })
            : tr("points.noExpiry")}
        </s-text>
        {points.rank ? (
          <s-stack direction="inline" gap="small-200">
            <s-text accessibilityVisibility="exclusive">{`${tr("points.rank")}: `}</s-text>
            <s-badge>{rankLabel(points.rank, points.display.rank)}</s-badge>
          </s-stack>
        ) : null}
      </s-stack>
    </s-section>
  );
}

function UseForm({
  points,
  rewards,
  ctx,
}: {
  points: PointsSummary;
  rewards: RewardsSlot;
  ctx: ViewContext;
}) {
  const { tr, locale, screen } = ctx;
  const [amount, setAmount] = useState("");
  const [problem, setProblem] = useState<AmountProblem | undefined>(undefined);
  const { unit } = ctx;
  const rules = { balance: points.balance, unit, dailyLimit: ctx.dailyLimit };
  const max = maxConvertible(rules);
  if (max < unit) return <s-paragraph>{tr("use.nothing", { unit })}</s-paragraph>;

  const tryConvert = (request: (points: number) => ConversionRequest) => {
    const found = amountProblem(amount, rules);
    setProblem(found);
    if (!found) void screen.convert(request(Number(amount.replace(/[,，\s]/g, ""))));
  };

  return (
    <s-stack direction="block" gap="base">
      <s-number-field
        label={tr("use.amount")}
        value={amount}
        min={unit}
        max={max}
        step={unit}
        error={problem ? amountMessage(problem, ctx.locale) : undefined}
        onInput={(event: Event) => setAmount((event.currentTarget as HTMLInputElement).value ?? "")}
      />
      <s-text color="subdued">{tr("use.amountHelp", { unit, max: formatPoints(max, locale) })}</s-text>
      <s-button variant="primary" onClick={() => tryConvert((value) => ({ points: value }))}>
        {tr("use.submit")}
      </s-button>
      <s-heading>{tr("use.or")}</s-heading>
      {rewards.kind === "loading" ? (
        <s-spinner accessibilityLabel={tr("loading.more")} />
      ) : rewards.kind === "loaded" ? (
        rewards.catalog.rewards.map((reward) => (
          <Reward
            key={reward.rewardId}
            reward={reward}
            ctx={ctx}
            onChoose={() =>
              reward.cost.kind === "variable"
                ? tryConvert((value) => ({ rewardId: reward.rewardId, points: value }))
                : void screen.convert({ rewardId: reward.rewardId })
            }
          />
        ))
      ) : (
        <s-paragraph>{tr("reward.unavailable")}</s-paragraph>
      )}
    </s-stack>
  );
}

function Reward({
  reward,
  ctx,
  onChoose,
}: {
  reward: CatalogReward;
  ctx: ViewContext;
  onChoose: () => void;
}) {
  const { locale, tr } = ctx;
  const name = reward.name[locale];
  return (
    <s-grid gridTemplateColumns="1fr auto" gap="small-200" alignItems="center">
      <s-stack direction="block" gap="none">
        <s-text type="strong">{name}</s-text>
        <s-text color="subdued">{reward.description[locale]}</s-text>
        <s-text>
          {rewardCost(reward, locale)} ·{" "}
          {reward.affordable
            ? tr("reward.affordable")
            : tr("reward.missing", { points: formatPoints(reward.pointsMissing, locale) })}
        </s-text>
      </s-stack>
      <s-button
        variant="secondary"
        disabled={!reward.affordable}
        accessibilityLabel={tr("reward.chooseNamed", { name })}
        onClick={onChoose}
      >
        {tr("reward.choose")}
      </s-button>
    </s-grid>
  );
}

function CopyButton({ code, id, ctx }: { code: string; id: string; ctx: ViewContext }) {
  return (
    <>
      <s-button
        variant="secondary"
        command="--copy"
        commandFor={id}
        accessibilityLabel={ctx.tr("coupons.copy", { code })}
      >
        {ctx.tr("result.copy")}
      </s-button>
      <s-clipboard-item id={id} text={code} onCopy={() => ctx.copied(code)} onCopyError={ctx.copyFailed} />
    </>
  );
}

function Conversion({
  conversion,
  rewards,
  ctx,
}: {
  conversion: ConversionState;
  rewards: RewardsSlot;
  ctx: ViewContext;
}) {
  const { tr, locale, screen } = ctx;
  switch (conversion.kind) {
    case "idle":
      return null;
    case "converting":
    case "pending":
      return (
        <s-stack direction="inline" gap="base" alignItems="center">
          <s-spinner accessibilityLabel={tr("converting")} />
          <s-text>
            {conversion.kind === "converting"
              ? tr("converting")
              : conversion.slow
                ? tr("pending.slow")
                : tr("pending")}
          </s-text>
        </s-stack>
      );
    case "needs_review":
      return (
        <s-banner tone="info">
          <s-paragraph>{tr("needsReview")}</s-paragraph>
        </s-banner>
      );
    case "refused":
      return (
        <s-banner tone="critical" heading={tr("refused.title")}>
          <s-paragraph>{refusalText(locale, conversion.code)}</s-paragraph>
          <s-button onClick={() => screen.dismiss()}>{tr("refused.dismiss")}</s-button>
        </s-banner>
      );
    case "result": {
      const coupon = conversion.view.coupon;
      if (!coupon) return null;
      const reward =
        rewards.kind === "loaded"
          ? rewards.catalog.rewards.find((item) => item.rewardId === coupon.rewardId)
          : undefined;
      const facts = couponFacts(coupon, reward, locale, coupon.currency);
      return (
        <s-banner tone="success" heading={tr("result.title")}>
          <s-stack direction="block" gap="base">
            <s-text>{tr("result.code")}</s-text>
            <s-heading>{coupon.code}</s-heading>
            <CopyButton code={coupon.code} id="loyalty-new-code" ctx={ctx} />
            <s-text>{`${tr("result.value")}: ${facts.value}`}</s-text>
            <s-text type="strong">{tr("result.conditions")}</s-text>
            <s-unordered-list>
              {facts.conditions.map((line) => (
                <s-list-item key={line}>{line}</s-list-item>
              ))}
            </s-unordered-list>
            <s-text>
              {tr("result.expires", { date: formatInstantDate(coupon.expiresAt, locale, ctx.timeZone) })}
            </s-text>
            {conversion.view.balance ? (
              <s-text>{`${tr("result.newBalance")}: ${formatPoints(conversion.view.balance.after, locale)}`}</s-text>
            ) : null}
            <s-button onClick={() => screen.dismiss()}>{tr("result.again")}</s-button>
          </s-stack>
        </s-banner>
      );
    }
  }
}

function History({ points, ctx }: { points: PointsSummary; ctx: ViewContext }) {
  const { tr, locale } = ctx;
  return (
    <s-section heading={tr("history.title")}>
      {points.history === null ? (
        <s-paragraph>{tr("history.unavailable")}</s-paragraph>
      ) : points.history.length === 0 ? (
        <s-paragraph>{tr("history.empty")}</s-paragraph>
      ) : (
        <s-stack direction="block" gap="small-200">
          {points.history.map((entry) => (
            <s-grid
              key={`${entry.date}-${entry.description}-${entry.points}`}
              gridTemplateColumns="auto 1fr auto"
              gap="base"
            >
              <s-text>{formatShopDate(entry.date, locale)}</s-text>
              <s-text>{entry.description}</s-text>
              <s-text tone={entry.points < 0 ? "critical" : "success"}>
                {formatSignedPoints(entry.points, locale)}
              </s-text>
            </s-grid>
          ))}
        </s-stack>
      )}
    </s-section>
  );
}

function Coupons({ coupons, ctx }: { coupons: CouponsSlot; ctx: ViewContext }) {
  const { tr, locale } = ctx;
  return (
    <s-section heading={tr("coupons.title")}>
      {coupons.kind === "loading" ? (
        <s-spinner accessibilityLabel={tr("loading.more")} />
      ) : coupons.kind === "unavailable" ? (
        <s-paragraph>{tr("coupons.unavailable")}</s-paragraph>
      ) : coupons.page.coupons.length === 0 ? (
        <s-paragraph>{tr("coupons.empty")}</s-paragraph>
      ) : (
        <s-stack direction="block" gap="base">
          {coupons.page.coupons.map((coupon) => (
            <s-grid key={coupon.code} gridTemplateColumns="1fr auto" gap="small-200" alignItems="center">
              <s-stack direction="block" gap="none">
                <s-text type="strong">{coupon.code}</s-text>
                <s-stack direction="inline" gap="small-200">
                  <s-badge tone={coupon.status === "active" ? "auto" : "neutral"}>
                    {couponStatusLabel(coupon.status, locale)}
                  </s-badge>
                  <s-text color="subdued">
                    {tr("coupons.expires", {
                      date: formatInstantDate(coupon.expiresAt, locale, ctx.timeZone),
                    })}
                  </s-text>
                </s-stack>
              </s-stack>
              {coupon.status === "active" ? (
                <CopyButton code={coupon.code} id={`loyalty-copy-${coupon.code}`} ctx={ctx} />
              ) : null}
            </s-grid>
          ))}
        </s-stack>
      )}
    </s-section>
  );
}
