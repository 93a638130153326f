import { SES, SESClient, SendEmailCommand } from "@aws-sdk/client-ses";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import { SesCustomerNotices, SesEmailSender } from "../../shared/adapters/ses/email";
import { noticeLocaleOf, renderCouponCancelledEmail } from "../../shared/cancellation/notice";

describe("the coupon-cancelled email", () => {
  it("in English: subject, code, formatted points and footer, in text and HTML", () => {
    const email = renderCouponCancelledEmail({
      locale: "en",
      customerName: "Hanako Suzuki",
      code: "70935-AB12CD-1000",
      refundedPoints: 1000,
    });

    expect(email.subject).toBe("Your coupon has been cancelled");
    for (const part of [email.text, email.html]) {
      expect(part).toContain("70935-AB12CD-1000");
      expect(part).toContain("1,000 points have been refunded");
      expect(part).toContain("Please contact us if you have any questions.");
    }
  });

  it("in Japanese", () => {
    const email = renderCouponCancelledEmail({
      locale: "ja",
      customerName: "山田 太郎",
      code: "70934-AB12CD-500",
      refundedPoints: 500,
    });

    expect(email.subject).toBe("クーポンが取り消されました");
    expect(email.text).toContain("山田 太郎 様");
    for (const part of [email.text, email.html]) {
      expect(part).toContain("70934-AB12CD-500");
      expect(part).toContain("500ポイントを返還しました");
      expect(part).toContain("ご不明な点がございましたらお問い合わせください。");
    }
  });

  it("escapes what it interpolates into the HTML", () => {
    const email = renderCouponCancelledEmail({
      locale: "en",
      customerName: `<img src=x onerror="alert(1)">`,
      code: "A&B",
      refundedPoints: 100,
    });

    expect(email.html).not.toContain("<img");
    expect(email.html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
    expect(email.html).toContain("A&amp;B");
  });

  it("picks the customer's language and falls back to the shop's default", () => {
    expect(noticeLocaleOf("ja", "en")).toBe("ja");
    expect(noticeLocaleOf("en-US", "ja")).toBe("en");
    expect(noticeLocaleOf("pt-BR", "ja")).toBe("ja");
    expect(noticeLocaleOf(null, "en")).toBe("en");
  });

  it("is sent through SES with both parts, from the configured sender", async () => {
    // Prepare
    const ses = mockClient(SESClient);
    ses.on(SendEmailCommand).resolves({ MessageId: "m-1" });
    const notices = new SesCustomerNotices(
      new SesEmailSender(new SES({ region: "ap-northeast-1" }), "loyalty@example.com"),
    );

    // Act
    const id = await notices.sendCouponCancelled({
      to: "taro.yamada@example.com",
      locale: "ja",
      customerName: null,
      code: "70934-AB12CD-500",
      refundedPoints: 500,
    });

    // Assess
    expect(id).toBe("m-1");
    const input = ses.commandCalls(SendEmailCommand)[0]?.args[0].input;
    expect(input?.Source).toBe("loyalty@example.com");
    expect(input?.Destination?.ToAddresses).toEqual(["taro.yamada@example.com"]);
    expect(input?.Message?.Body?.Text?.Data).toContain("500ポイントを返還しました");
    expect(input?.Message?.Body?.Html?.Data).toContain("500ポイントを返還しました");
    expect(input?.ConfigurationSetName).toBeUndefined();
    ses.restore();
  });

  it("is sent with the configuration set that counts bounces and complaints, when one is configured", async () => {
    // Prepare
    const ses = mockClient(SESClient);
    ses.on(SendEmailCommand).resolves({ MessageId: "m-2" });
    const notices = new SesCustomerNotices(
      new SesEmailSender(new SES({ region: "ap-northeast-1" }), "loyalty@example.com", "Loyalty-demo-mail"),
    );

    // Act
    await notices.sendCouponCancelled({
      to: "taro.yamada@example.com",
      locale: "en",
      customerName: "Taro",
      code: "70934-AB12CD-500",
      refundedPoints: 500,
    });

    // Assess
    expect(ses.commandCalls(SendEmailCommand)[0]?.args[0].input.ConfigurationSetName).toBe(
      "Loyalty-demo-mail",
    );
    ses.restore();
  });
});
