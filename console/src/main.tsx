import { render } from "preact";
import { App } from "./app";
import { initialLang, translator } from "./i18n";
import { Auth, loadConfig, sessionOf } from "./session";
import "./styles.css";

/** Boot: read the deployment's config, finish or start the sign-in, then show the console. */
async function boot(root: HTMLElement) {
  const lang = initialLang();
  const t = translator(lang);
  const fail = (detail: string) => {
    root.textContent = "";
    const message = document.createElement("p");
    message.setAttribute("role", "alert");
    message.className = "alert alert-error";
    message.textContent = t("signInFailed", { detail });
    const retry = document.createElement("a");
    retry.href = "./";
    retry.textContent = t("signIn");
    root.append(message, retry);
  };
  try {
    const auth = new Auth(await loadConfig());
    await auth.completeSignIn();
    const user = await auth.current();
    if (!user) {
      root.textContent = t("signingIn");
      await auth.signIn();
      return;
    }
    root.textContent = "";
    render(<App auth={auth} session={sessionOf(user)} initialLang={lang} />, root);
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
}

const root = document.getElementById("app");
if (root) void boot(root);
