// @vitest-environment jsdom
/// <reference types="@shopify/ui-extensions/customer-account.profile.block.render" />
import { getExtension } from "@shopify/ui-extensions-tester";
import { fireEvent, waitFor } from "@testing-library/preact";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ok, problem, taroPoints } from "./fixtures";

/** The profile block of the customer account extension under Shopify's extension tester. */
const extension = getExtension("customer-account.profile.block.render", {
  configSearchDir: "extensions/loyalty-account",
});

let answer: () => Response;
const text = () => document.body.textContent ?? "";

beforeEach(() => {
  extension.setUp();
  extension.shopify.settings.value = { api_url: "https://loyalty.example" };
  extension.shopify.localization.language.value = { isoCode: "en" };
  extension.shopify.sessionToken.get = vi.fn(async () => "session-token");
  answer = () => ok(taroPoints());
  extension.fetch = vi.fn(async (input: string | URL | Request) => {
    if (!String(input).endsWith("/v1/me/points")) throw new TypeError(`unexpected request ${String(input)}`);
    return answer();
  }) as typeof fetch;
});

afterEach(() => {
  extension.tearDown();
});

describe("the points block on the profile page", () => {
  it("shows balance, rank and expiry with a link to the points page", async () => {
    // Act
    await extension.render();

    // Assess
    await waitFor(() => expect(text()).toContain("1,250 pt"));
    expect(text()).toContain("ゴールド会員");
    expect(text()).toContain("Expires on December 4, 2027");
    expect(document.body.querySelector("s-link")?.getAttribute("href")).toBe("extension:/");
    expect(extension.shopify.sessionToken.get).toHaveBeenCalledTimes(1);
  });

  it("offers Reload while the POS is down and shows the balance once it answers", async () => {
    // Prepare
    answer = () => problem(504, "pos_timeout");

    // Act
    await extension.render();
    await waitFor(() => expect(text()).toContain("Your balance is currently unavailable"));
    answer = () => ok(taroPoints({ balance: 1100 }));
    const reload = [...document.body.querySelectorAll("s-button")].find((b) => b.textContent === "Reload");
    fireEvent.click(reload as Element);

    // Assess
    await waitFor(() => expect(text()).toContain("1,100 pt"));
  });
});
