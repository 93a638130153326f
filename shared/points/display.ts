/**
 * How point figures read on the customer's account page, in Japanese or English. Ranks are the
 * names stored in Smaregi's customer rank; unknown ranks still read naturally.
 */

export const supportedLocales = ["en", "ja"] as const;
export type Locale = (typeof supportedLocales)[number];

/** Picks the best supported language from an Accept-Language header (q-values honoured). */
export function localeFromAcceptLanguage(header: string | undefined, fallback: Locale): Locale {
  if (!header) return fallback;
  const ranked = header
    .split(",")
    .map((part, index) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
      const weight = q ? Number(q.slice(2)) : 1;
      return {
        language: tag.trim().toLowerCase().split("-")[0] ?? "",
        weight: Number.isFinite(weight) ? weight : 0,
        index,
      };
    })
    .filter((entry) => entry.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.index - b.index);
  for (const { language } of ranked) {
    if ((supportedLocales as readonly string[]).includes(language)) return language as Locale;
  }
  return fallback;
}

const numberFormats: Record<Locale, Intl.NumberFormat> = {
  en: new Intl.NumberFormat("en-US"),
  ja: new Intl.NumberFormat("ja-JP"),
};

export function formatPoints(points: number, locale: Locale): string {
  return numberFormats[locale].format(points);
}

/** A calendar date (YYYY-MM-DD) as words: "December 31, 2025" / "2025年12月31日". */
export function formatDate(isoDate: string, locale: Locale): string {
  const [year, month, day] = isoDate.split("-").map(Number);
  if (!year || !month || !day) return isoDate;
  if (locale === "ja") return `${year}年${month}月${day}日`;
  return longEnglishDate.format(new Date(Date.UTC(year, month - 1, day)));
}

// Built once: a DateTimeFormat costs far more to create than to use.
const longEnglishDate = new Intl.DateTimeFormat("en-US", {
  year: "numeric",
  month: "long",
  day: "numeric",
  timeZone: "UTC",
});

const rankNames: Record<string, Record<Locale, string>> = {
  platinum: { en: "Platinum Member", ja: "プラチナ会員" },
  gold: { en: "Gold Member", ja: "ゴールド会員" },
  silver: { en: "Silver Member", ja: "シルバー会員" },
  bronze: { en: "Bronze Member", ja: "ブロンズ会員" },
  regular: { en: "Member", ja: "一般会員" },
};

export function formatRank(rank: string | null | undefined, locale: Locale): string {
  if (!rank) return rankNames.regular?.[locale] ?? "";
  const known = rankNames[rank.trim().toLowerCase()];
  if (known) return known[locale];
  return locale === "ja" ? `${rank}会員` : `${rank} Member`;
}

export type HistoryKind = "purchase" | "added" | "used" | "expired" | "other";

const historyDescriptions: Record<HistoryKind, Record<Locale, string>> = {
  purchase: { en: "Points earned on a purchase", ja: "お買い物でのポイント獲得" },
  added: { en: "Points added", ja: "ポイント加算" },
  used: { en: "Points used", ja: "ポイント利用" },
  expired: { en: "Points expired", ja: "ポイント失効" },
  other: { en: "Points changed", ja: "ポイント変動" },
};

export function describeHistory(kind: HistoryKind, locale: Locale): string {
  return historyDescriptions[kind][locale];
}
