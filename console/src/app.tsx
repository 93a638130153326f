import { useEffect, useMemo, useState } from "preact/hooks";
import { type ApiClient, apiClient } from "./api";
import { CouponDetail } from "./coupon";
import { CouponSearch, couponQueryFrom } from "./coupons";
import { I18n, type Lang, translator, useI18n } from "./i18n";
import { PointGrant } from "./points";
import { Reviews } from "./reviews";
import { RewardEditor, Rewards } from "./rewards";
import { type Route, routeOf } from "./router";
import type { Auth, StaffSession } from "./session";
import { Alert } from "./ui";

export function App(props: { auth: Auth; session: StaffSession; initialLang: Lang }) {
  const [lang, setLang] = useState<Lang>(props.initialLang);
  const [route, setRoute] = useState<Route>(routeOf(window.location.hash));
  const [expired, setExpired] = useState(false);
  const i18n = useMemo(() => ({ lang, t: translator(lang) }), [lang]);

  useEffect(() => {
    const onHash = () => setRoute(routeOf(window.location.hash));
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = i18n.t("appTitle");
    localStorage.setItem("console.lang", lang);
  }, [lang]);
  // Focus the new screen's heading so keyboard and screen reader users land on it.
  useEffect(() => {
    const heading = document.querySelector<HTMLElement>("main h1");
    heading?.setAttribute("tabindex", "-1");
    heading?.focus({ preventScroll: true });
  }, [route]);

  const api: ApiClient = useMemo(
    () =>
      apiClient(
        async () => {
          const user = await props.auth.current();
          if (!user?.id_token) {
            setExpired(true);
            throw new Error(i18n.t("errorSession"));
          }
          return user.id_token;
        },
        () => setExpired(true),
      ),
    [],
  );

  return (
    <I18n.Provider value={i18n}>
      {/* A button, not a #main link: the hash holds the route. */}
      <button type="button" class="skip" onClick={() => document.getElementById("main")?.focus()}>
        {i18n.t("skipToContent")}
      </button>
      <Header auth={props.auth} session={props.session} lang={lang} setLang={setLang} route={route} />
      <main id="main" tabIndex={-1}>
        {expired ? (
          <Alert kind="error">
            {i18n.t("errorSession")}{" "}
            <button type="button" onClick={() => props.auth.signIn()}>
              {i18n.t("signIn")}
            </button>
          </Alert>
        ) : null}
        {props.session.role === "none" ? (
          <Alert kind="error">{i18n.t("noRoleExplained")}</Alert>
        ) : (
          <Screen
            route={route}
            api={api}
            session={props.session}
            stepFunctionsConsole={props.auth.config.stepFunctionsConsole}
          />
        )}
      </main>
    </I18n.Provider>
  );
}

function Screen(props: {
  route: Route;
  api: ApiClient;
  session: StaffSession;
  stepFunctionsConsole: boolean;
}) {
  const { t } = useI18n();
  const { route, api, session } = props;
  const adminOnly = (screen: preact.JSX.Element) =>
    session.role === "admin" ? screen : <Alert kind="info">{t("viewerExplained")}</Alert>;
  switch (route.screen) {
    case "coupons":
      return <CouponSearch api={api} query={couponQueryFrom(route.params)} />;
    case "coupon":
      return (
        <CouponDetail
          api={api}
          code={route.code}
          role={session.role}
          stepFunctionsConsole={props.stepFunctionsConsole}
        />
      );
    case "reviews":
      return <Reviews api={api} role={session.role} />;
    case "points":
      return adminOnly(<PointGrant api={api} />);
    case "rewards":
      return <Rewards api={api} role={session.role} />;
    case "reward":
      return adminOnly(
        <RewardEditor
          key={route.rewardId ?? "new"}
          api={api}
          rewardId={route.rewardId}
          created={route.created}
        />,
      );
  }
}

function Header(props: {
  auth: Auth;
  session: StaffSession;
  lang: Lang;
  setLang: (lang: Lang) => void;
  route: Route;
}) {
  const { t } = useI18n();
  const { session } = props;
  const current = (screens: Route["screen"][]) => (screens.includes(props.route.screen) ? "page" : undefined);
  return (
    <header class="top">
      <div class="brand">{t("appTitle")}</div>
      <nav aria-label={t("appTitle")}>
        <ul>
          <li>
            <a href="#/coupons" aria-current={current(["coupons", "coupon"])}>
              {t("navCoupons")}
            </a>
          </li>
          <li>
            <a href="#/reviews" aria-current={current(["reviews"])}>
              {t("navReviews")}
            </a>
          </li>
          {session.role === "admin" ? (
            <li>
              <a href="#/points" aria-current={current(["points"])}>
                {t("navPoints")}
              </a>
            </li>
          ) : null}
          <li>
            <a href="#/rewards" aria-current={current(["rewards", "reward"])}>
              {t("navRewards")}
            </a>
          </li>
        </ul>
      </nav>
      <div class="who">
        <span class="user">{t("signedInAs", { email: session.email })}</span>
        <span class="role" data-role={session.role}>
          {t("role")}:{" "}
          {t(session.role === "admin" ? "roleAdmin" : session.role === "viewer" ? "roleViewer" : "roleNone")}
        </span>
        <label for="lang" class="visually-hidden">
          {t("language")}
        </label>
        <select
          id="lang"
          value={props.lang}
          onChange={(event) => props.setLang(event.currentTarget.value as Lang)}
        >
          <option value="ja" lang="ja">
            日本語
          </option>
          <option value="en" lang="en">
            English
          </option>
        </select>
        <button type="button" onClick={() => props.auth.signOut()}>
          {t("signOut")}
        </button>
      </div>
    </header>
  );
}
