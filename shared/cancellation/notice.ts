import type { CouponCancelledNotice, NoticeLocale } from "./ports";

/**
 * The "coupon cancelled" email to the customer, in Japanese or English, as text and HTML. Every
 * interpolated value is escaped in the HTML part: the code is ours, but the name comes from Shopify.
 */

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

interface Template {
  subject: string;
  greeting: (name: string | null) => string;
  intro: string;
  codeLabel: string;
  refunded: (points: string) => string;
  footer: string;
  numberLocale: string;
}

const templates: Record<NoticeLocale, Template> = {
  en: {
    subject: "Your coupon has been cancelled",
    greeting: (name) => (name ? `Dear ${name},` : "Hello,"),
    intro: "Your coupon has been cancelled and can no longer be used.",
    codeLabel: "Coupon code",
    refunded: (points) => `${points} points have been refunded`,
    footer: "Please contact us if you have any questions.",
    numberLocale: "en-US",
  },
  ja: {
    subject: "クーポンが取り消されました",
    greeting: (name) => (name ? `${name} 様` : "お客様"),
    intro: "クーポンが取り消されました。このクーポンは今後ご利用いただけません。",
    codeLabel: "クーポンコード",
    refunded: (points) => `${points}ポイントを返還しました`,
    footer: "ご不明な点がございましたらお問い合わせください。",
    numberLocale: "ja-JP",
  },
};

/** Shopify locales look like `ja`, `en`, `en-US`, `pt-BR`: anything but Japanese or English falls back. */
export function noticeLocaleOf(
  shopifyLocale: string | null | undefined,
  fallback: NoticeLocale,
): NoticeLocale {
  const language = shopifyLocale?.toLowerCase().split(/[-_]/)[0];
  return language === "ja" || language === "en" ? language : fallback;
}

const htmlEscapes: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};
export const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (char) => htmlEscapes[char] ?? char);

export function renderCouponCancelledEmail(notice: Omit<CouponCancelledNotice, "to">): RenderedEmail {
  const t = templates[notice.locale];
  const points = notice.refundedPoints.toLocaleString(t.numberLocale);
  const refunded = t.refunded(points);
  const greeting = t.greeting(notice.customerName);
  const text = [greeting, "", t.intro, "", `${t.codeLabel}: ${notice.code}`, refunded, "", t.footer, ""].join(
    "\n",
  );
  const html = [
    "<!DOCTYPE html>",
    `<html lang="${notice.locale}"><head><meta charset="utf-8"><title>${escapeHtml(t.subject)}</title></head><body>`,
    `<p>${escapeHtml(greeting)}</p>`,
    `<p>${escapeHtml(t.intro)}</p>`,
    `<p>${escapeHtml(t.codeLabel)}: <strong>${escapeHtml(notice.code)}</strong></p>`,
    `<p>${escapeHtml(refunded)}</p>`,
    `<p>${escapeHtml(t.footer)}</p>`,
    "</body></html>",
  ].join("\n");
  return { subject: t.subject, text, html };
}
