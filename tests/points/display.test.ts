import { describe, expect, it } from "vitest";
import { formatDate, formatPoints, formatRank, localeFromAcceptLanguage } from "../../shared/points/display";

describe("how points read on the account page", () => {
  it("groups thousands in both languages", () => {
    expect(formatPoints(1250, "en")).toBe("1,250");
    expect(formatPoints(1250, "ja")).toBe("1,250");
    expect(formatPoints(0, "en")).toBe("0");
  });

  it("writes the expiry date in words", () => {
    expect(formatDate("2025-12-31", "en")).toBe("December 31, 2025");
    expect(formatDate("2025-12-31", "ja")).toBe("2025年12月31日");
    expect(formatDate("2026-01-05", "ja")).toBe("2026年1月5日");
  });

  it("names ranks as members", () => {
    expect(formatRank("Gold", "en")).toBe("Gold Member");
    expect(formatRank("Gold", "ja")).toBe("ゴールド会員");
    expect(formatRank("gold", "ja")).toBe("ゴールド会員");
    expect(formatRank("Diamond", "en")).toBe("Diamond Member");
    expect(formatRank("ダイヤモンド", "ja")).toBe("ダイヤモンド会員");
    expect(formatRank(null, "en")).toBe("Member");
  });

  it("follows Accept-Language with q-values and falls back to the shop's default", () => {
    // Prepare / Act / Assess in one line each: the header is all that varies.
    expect(localeFromAcceptLanguage("en-US,en;q=0.9", "ja")).toBe("en");
    expect(localeFromAcceptLanguage("ja-JP", "en")).toBe("ja");
    expect(localeFromAcceptLanguage("fr-FR,en;q=0.5,ja;q=0.8", "en")).toBe("ja");
    expect(localeFromAcceptLanguage("fr-FR", "ja")).toBe("ja");
    expect(localeFromAcceptLanguage("en;q=0", "ja")).toBe("ja");
    expect(localeFromAcceptLanguage(undefined, "en")).toBe("en");
    expect(localeFromAcceptLanguage("*", "en")).toBe("en");
  });
});
