/// <reference lib="dom" />
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
  createLoyaltyApi,
  createPointsScreen,
  customerDisplayName,
  formatInstantDate,
  formatPoints,
  formatShopDate,
  formatSignedPoints,
  type Locale,
  localeFrom,
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
} from "../core";

/**
 * The theme app block's script: finds `[data-loyalty-points]` elements the block rendered and draws
 * the points screen in each, calling the API through the App Proxy (`/apps/loyalty/...`). Plain DOM,
 * no framework: the script must stay under Shopify's 10 KB (gzipped) advice for app blocks.
 */

interface BlockSettings {
  proxy: string;
  locale: Locale;
  firstName: string;
  lastName: string;
  loginUrl: string;
  timeZone: string;
  currency: string;
  unit: number;
  dailyLimit: number;
}

type Child = Node | string | false | null | undefined;

/** A tiny element builder: attributes (on* become listeners), then children. */
function h(tag: string, attributes: Record<string, unknown> = {}, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false || value === null) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2).toLowerCase(), value as EventListener);
    } else element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === false || child === null || child === undefined) continue;
    element.append(child);
  }
  return element;
}

function settingsOf(root: HTMLElement): BlockSettings {
  const data = root.dataset;
  const number = (value: string | undefined, fallback: number) => {
    const parsed = Number(value);
    return Number.isInteger(parsed) && parsed > 0 ? parsed : fallback;
  };
  return {
    proxy: data.proxy || "/apps/loyalty",
    locale: localeFrom(data.locale || document.documentElement.lang),
    firstName: data.firstName ?? "",
    lastName: data.lastName ?? "",
    loginUrl: data.loginUrl || "/account/login",
    timeZone: data.timezone || Intl.DateTimeFormat().resolvedOptions().timeZone,
    currency: data.currency || "JPY",
    unit: number(data.unit, 100),
    dailyLimit: number(data.dailyLimit, 10_000),
  };
}

async function copy(code: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(code);
    return true;
  } catch {
    return false;
  }
}

export function mountPointsBlock(root: HTMLElement): PointsScreen {
  const settings = settingsOf(root);
  const { locale } = settings;
  const tr = (key: StringKey, values?: Record<string, string | number>) => t(locale, key, values);
  const screen = createPointsScreen({
    api: createLoyaltyApi({ baseUrl: settings.proxy, auth: { kind: "app-proxy" }, locale }),
  });
  /** What the amount field holds across re-renders, and the message under it. */
  let amount = "";
  let amountError: AmountProblem | undefined;
  /** The live region's text: what a copy did, or where a conversion stands. */
  let announcement = "";
  /** Where focus goes after the next render (a `data-focus` key). */
  let focusNext: string | undefined;

  const live = h("p", { class: "loyalty-sr-only", role: "status", "aria-live": "polite" });
  const body = h("div", { class: "loyalty-body" });
  root.replaceChildren(body, live);

  const announce = (text: string) => {
    announcement = text;
    // Cleared first so the same text twice is announced twice.
    live.textContent = "";
    setTimeout(() => {
      live.textContent = announcement;
    }, 50);
  };

  const copyButton = (code: string, label: string, focusKey: string) =>
    h(
      "button",
      {
        type: "button",
        class: "loyalty-button loyalty-button--secondary",
        "data-focus": focusKey,
        "data-copy": code,
        "aria-label": t(locale, "coupons.copy", { code }),
        onclick: async () => {
          announce((await copy(code)) ? tr("result.copied", { code }) : tr("result.copyFailed"));
        },
      },
      label,
    );

  const convert = (request: ConversionRequest) => {
    focusNext = "conversion";
    void screen.convert(request);
  };

  const pointsCard = (points: PointsSummary) =>
    h(
      "div",
      { class: "loyalty-card loyalty-balance" },
      h("p", { class: "loyalty-label" }, tr("points.balance")),
      h(
        "p",
        { class: "loyalty-balance__value", "data-testid": "balance" },
        formatPoints(points.balance, locale),
      ),
      h(
        "p",
        { class: "loyalty-muted", "data-testid": "expiry" },
        points.expiresOn
          ? tr("points.expires", { date: formatShopDate(points.expiresOn, locale) })
          : tr("points.noExpiry"),
      ),
      points.rank &&
        h(
          "p",
          { class: "loyalty-rank", "data-testid": "rank" },
          h("span", { class: "loyalty-sr-only" }, `${tr("points.rank")}: `),
          rankLabel(points.rank, points.display.rank),
        ),
    );

  const rewardItem = (reward: CatalogReward, disabled: boolean) => {
    const name = reward.name[locale];
    const variable = reward.cost.kind === "variable";
    return h(
      "li",
      { class: "loyalty-reward", "data-reward": reward.rewardId },
      h("span", { class: "loyalty-reward__name" }, name),
      h("span", { class: "loyalty-muted" }, reward.description[locale]),
      h(
        "span",
        { class: "loyalty-reward__cost" },
        `${rewardCost(reward, locale)} · `,
        h(
          "span",
          { class: reward.affordable ? "loyalty-ok" : "loyalty-muted" },
          reward.affordable
            ? tr("reward.affordable")
            : tr("reward.missing", { points: formatPoints(reward.pointsMissing, locale) }),
        ),
      ),
      h(
        "button",
        {
          type: "button",
          class: "loyalty-button loyalty-button--secondary",
          disabled: disabled || !reward.affordable,
          "aria-label": tr("reward.chooseNamed", { name }),
          onclick: () => {
            if (!variable) return convert({ rewardId: reward.rewardId });
            const problem = amountProblem(amount, ruleFor());
            amountError = problem;
            if (problem) {
              focusNext = "amount";
              return render(screen.state);
            }
            convert({ rewardId: reward.rewardId, points: Number(amount.replace(/[,，\s]/g, "")) });
          },
        },
        tr("reward.choose"),
      ),
    );
  };

  /** The amount rules of the moment: the balance on screen, the block's step and daily limit. */
  const ruleFor = () => ({
    balance: screen.state.kind === "ready" ? screen.state.points.balance : 0,
    unit: settings.unit,
    dailyLimit: settings.dailyLimit,
  });

  const useForm = (rewards: RewardsSlot, busy: boolean) => {
    const rules = ruleFor();
    const max = maxConvertible(rules);
    if (max < settings.unit) {
      return h("p", { class: "loyalty-muted" }, tr("use.nothing", { unit: settings.unit }));
    }
    const errorId = "loyalty-amount-error";
    const helpId = "loyalty-amount-help";
    const form = h(
      "form",
      {
        class: "loyalty-form",
        novalidate: true,
        onsubmit: (event: Event) => {
          event.preventDefault();
          amountError = amountProblem(amount, rules);
          if (amountError) {
            focusNext = "amount";
            return render(screen.state);
          }
          convert({ points: Number(amount.replace(/[,，\s]/g, "")) });
        },
      },
      h("label", { for: "loyalty-amount", class: "loyalty-label" }, tr("use.amount")),
      h(
        "div",
        { class: "loyalty-row" },
        h("input", {
          id: "loyalty-amount",
          name: "points",
          type: "text",
          inputmode: "numeric",
          autocomplete: "off",
          class: "loyalty-input",
          value: amount,
          placeholder: String(Math.min(500, max)),
          "data-focus": "amount",
          "aria-describedby": amountError ? `${helpId} ${errorId}` : helpId,
          "aria-invalid": amountError ? "true" : undefined,
          oninput: (event: Event) => {
            amount = (event.target as HTMLInputElement).value;
          },
        }),
        h(
          "button",
          { type: "submit", class: "loyalty-button", disabled: busy, "data-focus": "submit" },
          tr("use.submit"),
        ),
      ),
      h(
        "p",
        { id: helpId, class: "loyalty-muted" },
        tr("use.amountHelp", { unit: settings.unit, max: formatPoints(max, locale) }),
      ),
      amountError &&
        h("p", { id: errorId, class: "loyalty-error", role: "alert" }, amountMessage(amountError, locale)),
    );
    const rewardList =
      rewards.kind === "loading"
        ? h("p", { class: "loyalty-muted" }, tr("loading.more"))
        : rewards.kind === "loaded"
          ? h(
              "ul",
              { class: "loyalty-rewards" },
              ...rewards.catalog.rewards.map((reward) => rewardItem(reward, busy)),
            )
          : h("p", { class: "loyalty-muted" }, tr("reward.unavailable"));
    return h("div", {}, form, h("h4", { class: "loyalty-subheading" }, tr("use.or")), rewardList);
  };

  const conversionPanel = (conversion: ConversionState, rewards: RewardsSlot): Child => {
    switch (conversion.kind) {
      case "idle":
        return null;
      case "converting":
      case "pending":
        return h(
          "div",
          {
            class: "loyalty-card loyalty-progress",
            role: "status",
            tabindex: "-1",
            "data-focus": "conversion",
          },
          h("span", { class: "loyalty-spinner", "aria-hidden": "true" }),
          conversion.kind === "converting"
            ? tr("converting")
            : conversion.slow
              ? tr("pending.slow")
              : tr("pending"),
        );
      case "needs_review":
        return h("div", { class: "loyalty-card", role: "status" }, tr("needsReview"));
      case "refused":
        return h(
          "div",
          {
            class: "loyalty-card loyalty-refused",
            role: "alert",
            tabindex: "-1",
            "data-focus": "conversion",
          },
          h("h4", {}, tr("refused.title")),
          h("p", { "data-testid": "refusal" }, refusalText(locale, conversion.code)),
          h(
            "button",
            {
              type: "button",
              class: "loyalty-button loyalty-button--secondary",
              onclick: () => {
                focusNext = "amount";
                screen.dismiss();
              },
            },
            tr("refused.dismiss"),
          ),
        );
      case "result": {
        const { view } = conversion;
        const coupon = view.coupon;
        if (!coupon) return null;
        const reward =
          rewards.kind === "loaded"
            ? rewards.catalog.rewards.find((item) => item.rewardId === coupon.rewardId)
            : undefined;
        const facts = couponFacts(coupon, reward, locale, settings.currency);
        return h(
          "div",
          { class: "loyalty-card loyalty-result", "data-testid": "result" },
          h("h4", { tabindex: "-1", "data-focus": "conversion" }, tr("result.title")),
          h("p", { class: "loyalty-label" }, tr("result.code")),
          h(
            "div",
            { class: "loyalty-row" },
            h("code", { class: "loyalty-code", "data-testid": "code" }, coupon.code),
            copyButton(coupon.code, tr("result.copy"), "copy"),
          ),
          h(
            "dl",
            { class: "loyalty-facts" },
            h("dt", {}, tr("result.value")),
            h("dd", { "data-testid": "value" }, facts.value),
            h("dt", {}, tr("result.conditions")),
            h("dd", {}, h("ul", {}, ...facts.conditions.map((line) => h("li", {}, line)))),
            h("dt", {}, tr("result.expiresLabel")),
            h("dd", {}, formatInstantDate(coupon.expiresAt, locale, settings.timeZone)),
            view.balance && h("dt", {}, tr("result.newBalance")),
            view.balance &&
              h("dd", { "data-testid": "new-balance" }, formatPoints(view.balance.after, locale)),
          ),
          h(
            "button",
            {
              type: "button",
              class: "loyalty-button loyalty-button--secondary",
              onclick: () => {
                amount = "";
                focusNext = "amount";
                screen.dismiss();
              },
            },
            tr("result.again"),
          ),
        );
      }
    }
  };

  const historySection = (points: PointsSummary) =>
    h(
      "section",
      { class: "loyalty-section", "aria-labelledby": "loyalty-history" },
      h("h3", { id: "loyalty-history" }, tr("history.title")),
      points.history === null
        ? h("p", { class: "loyalty-muted" }, tr("history.unavailable"))
        : points.history.length === 0
          ? h("p", { class: "loyalty-muted" }, tr("history.empty"))
          : h(
              "table",
              { class: "loyalty-table" },
              h(
                "thead",
                {},
                h(
                  "tr",
                  {},
                  h("th", { scope: "col" }, tr("history.date")),
                  h("th", { scope: "col" }, tr("history.what")),
                  h("th", { scope: "col", class: "loyalty-num" }, tr("history.points")),
                ),
              ),
              h(
                "tbody",
                {},
                ...points.history.map((entry) =>
                  h(
                    "tr",
                    {},
                    h("td", {}, formatShopDate(entry.date, locale)),
                    h("td", {}, entry.description),
                    h(
                      "td",
                      { class: `loyalty-num ${entry.points < 0 ? "loyalty-minus" : "loyalty-plus"}` },
                      formatSignedPoints(entry.points, locale),
                    ),
                  ),
                ),
              ),
            ),
    );

  const couponsSection = (coupons: CouponsSlot) =>
    h(
      "section",
      { class: "loyalty-section", "aria-labelledby": "loyalty-coupons" },
      h("h3", { id: "loyalty-coupons" }, tr("coupons.title")),
      coupons.kind === "loading"
        ? h("p", { class: "loyalty-muted" }, tr("loading.more"))
        : coupons.kind === "unavailable"
          ? h("p", { class: "loyalty-muted" }, tr("coupons.unavailable"))
          : coupons.page.coupons.length === 0
            ? h("p", { class: "loyalty-muted" }, tr("coupons.empty"))
            : h(
                "ul",
                { class: "loyalty-coupons" },
                ...coupons.page.coupons.map((coupon) =>
                  h(
                    "li",
                    { class: "loyalty-coupon", "data-coupon": coupon.code, "data-status": coupon.status },
                    h("code", { class: "loyalty-coupon__code" }, coupon.code),
                    h(
                      "span",
                      { class: `loyalty-badge loyalty-badge--${coupon.status}` },
                      couponStatusLabel(coupon.status, locale),
                    ),
                    h(
                      "span",
                      { class: "loyalty-muted" },
                      tr("coupons.expires", {
                        date: formatInstantDate(coupon.expiresAt, locale, settings.timeZone),
                      }),
                    ),
                    coupon.status === "active" &&
                      copyButton(coupon.code, tr("result.copy"), `copy-${coupon.code}`),
                  ),
                ),
              ),
    );

  const unavailable = (reloading: boolean) =>
    h(
      "div",
      { class: "loyalty-card loyalty-warning", role: "alert", "data-testid": "pos-unavailable" },
      h("h4", {}, tr("points.unavailable.title")),
      h("p", {}, tr("points.unavailable.body")),
      h(
        "button",
        {
          type: "button",
          class: "loyalty-button",
          disabled: reloading,
          "data-focus": "reload",
          onclick: () => {
            focusNext = "reload";
            void screen.reload();
          },
        },
        reloading ? tr("points.reloading") : tr("points.reload"),
      ),
      h("p", { class: "loyalty-muted" }, tr("inStore")),
    );

  const heading = () =>
    h(
      "h2",
      { class: "loyalty-heading", "data-testid": "name" },
      customerDisplayName({ firstName: settings.firstName, lastName: settings.lastName }, locale),
    );

  const render = (state: ScreenState) => {
    const focused = (document.activeElement as HTMLElement | null)?.dataset?.focus;
    const content: Child[] = [heading()];
    switch (state.kind) {
      case "loading":
        content.push(h("p", { class: "loyalty-muted", role: "status" }, tr("loading")));
        break;
      case "signed_out":
        content.push(
          h(
            "div",
            { class: "loyalty-card", role: "alert" },
            h("h4", {}, tr("signedOut.title")),
            h("p", {}, tr("signedOut.body")),
            h("a", { href: settings.loginUrl, class: "loyalty-button" }, tr("signedOut.action")),
          ),
        );
        // Back to sign-in: the session is gone and nothing on this page works without it.
        window.location.assign(settings.loginUrl);
        break;
      case "failed":
        content.push(
          h(
            "div",
            { class: "loyalty-card loyalty-warning", role: "alert" },
            h("h4", {}, tr("error.title")),
            h("p", {}, tr("error.body")),
            h(
              "button",
              { type: "button", class: "loyalty-button", onclick: () => void screen.reload() },
              tr("points.reload"),
            ),
          ),
        );
        break;
      case "not_registered":
        content.push(
          h(
            "div",
            { class: "loyalty-card", "data-testid": "not-registered" },
            h("h4", {}, tr("notRegistered.title")),
            h("p", {}, tr("notRegistered.body")),
          ),
          couponsSection(state.coupons),
        );
        break;
      case "pos_unavailable":
        content.push(unavailable(state.reloading), couponsSection(state.coupons));
        break;
      case "ready": {
        const busy = state.conversion.kind === "converting" || state.conversion.kind === "pending";
        const showForm = state.conversion.kind === "idle";
        content.push(
          pointsCard(state.points),
          h(
            "section",
            { class: "loyalty-section", "aria-labelledby": "loyalty-use" },
            h("h3", { id: "loyalty-use" }, tr("use.title")),
            conversionPanel(state.conversion, state.rewards),
            showForm && useForm(state.rewards, busy),
          ),
          historySection(state.points),
          couponsSection(state.coupons),
        );
        break;
      }
    }
    body.replaceChildren(...content.filter((child): child is Node | string => Boolean(child)));
    const target = focusNext ?? focused;
    focusNext = undefined;
    const element = target ? body.querySelector<HTMLElement>(`[data-focus="${target}"]`) : null;
    element?.focus();
    // A field drawn again keeps the caret after what was typed (rewards may arrive mid-typing).
    if (element instanceof HTMLInputElement)
      element.setSelectionRange(element.value.length, element.value.length);
  };

  screen.subscribe(render);
  render(screen.state);
  void screen.load();
  return screen;
}

for (const root of document.querySelectorAll<HTMLElement>("[data-loyalty-points]")) mountPointsBlock(root);
