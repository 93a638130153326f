import { SESClient, SendEmailCommand, SendRawEmailCommand } from "@aws-sdk/client-ses";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type LocalSesServer, type SentEmail, startLocalSes } from "../../infra/local/ses";
import { sesClient } from "../../shared/adapters/ses/client";

let ses: LocalSesServer;
let client: SESClient;

async function stored(query = ""): Promise<SentEmail[]> {
  const response = await fetch(`${ses.url}/store${query}`);
  const body = (await response.json()) as { emails: SentEmail[] };
  return body.emails;
}

async function putFaults(rules: unknown): Promise<void> {
  const response = await fetch(`${ses.url}/_control/faults`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(rules),
  });
  expect(response.status).toBe(200);
}

beforeAll(async () => {
  ses = await startLocalSes({ port: 0 });
  client = new SESClient({
    endpoint: ses.url,
    region: "ap-northeast-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    // Each injected fault should surface, not be absorbed by SDK retries.
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client.destroy();
  await ses.close();
});

beforeEach(async () => {
  await fetch(`${ses.url}/_control/reset`, { method: "POST" });
});

describe("local SES endpoint", () => {
  it("stores a SendEmail with a Japanese subject and bodies intact", async () => {
    // Prepare
    const subject = "クーポンを取り消しました";
    const text = "500ポイントを返却しました。またのご利用をお待ちしております。";
    const html = "<p>500ポイントを<strong>返却</strong>しました。</p>";

    // Act
    const sent = await client.send(
      new SendEmailCommand({
        Source: "ショップ <shop@example.com>",
        Destination: { ToAddresses: ["customer@example.com"], BccAddresses: ["audit@example.com"] },
        Message: {
          Subject: { Data: subject, Charset: "UTF-8" },
          Body: { Text: { Data: text, Charset: "UTF-8" }, Html: { Data: html, Charset: "UTF-8" } },
        },
      }),
    );
    const emails = await stored();

    // Assess
    expect(sent.MessageId).toMatch(/^0106[0-9a-f]{12}-[0-9a-f-]{36}-000000$/);
    expect(emails).toHaveLength(1);
    expect(emails[0]).toMatchObject({
      id: sent.MessageId,
      action: "SendEmail",
      from: "ショップ <shop@example.com>",
      to: ["customer@example.com"],
      cc: [],
      bcc: ["audit@example.com"],
      subject,
      text,
      html,
      raw: null,
    });
    expect(Number.isNaN(Date.parse(emails[0]?.at ?? ""))).toBe(false);
  });

  it("stores a SendRawEmail with encoded headers and multipart bodies decoded", async () => {
    // Prepare
    const subjectWord = `=?UTF-8?B?${Buffer.from("ポイント交換のお知らせ").toString("base64")}?=`;
    const html = "<p>クーポン 70934-AB12CD-500</p>";
    const iso2022jp = Buffer.from("1b2442246024731b2842", "hex"); // "むん" in ISO-2022-JP
    const mime = [
      "From: shop@example.com",
      "To: =?UTF-8?B?6aGn5a6i?= <customer@example.com>, other@example.com",
      `Subject: ${subjectWord}`,
      "MIME-Version: 1.0",
      'Content-Type: multipart/alternative; boundary="b1"',
      "",
      "--b1",
      "Content-Type: text/plain; charset=ISO-2022-JP",
      "Content-Transfer-Encoding: base64",
      "",
      iso2022jp.toString("base64"),
      "--b1",
      "Content-Type: text/html; charset=UTF-8",
      "Content-Transfer-Encoding: quoted-printable",
      "",
      [...Buffer.from(html)].map((byte) => `=${byte.toString(16).toUpperCase().padStart(2, "0")}`).join(""),
      "--b1--",
      "",
    ].join("\r\n");

    // Act
    const sent = await client.send(
      new SendRawEmailCommand({
        RawMessage: { Data: Buffer.from(mime) },
        Destinations: ["customer@example.com", "other@example.com", "hidden@example.com"],
      }),
    );
    const forCustomer = await stored("?to=CUSTOMER@example.com");
    const forNobody = await stored("?to=nobody@example.com");

    // Assess
    expect(forCustomer).toHaveLength(1);
    expect(forCustomer[0]).toMatchObject({
      id: sent.MessageId,
      action: "SendRawEmail",
      from: "shop@example.com",
      to: ["顧客 <customer@example.com>", "other@example.com"],
      bcc: ["hidden@example.com"],
      subject: "ポイント交換のお知らせ",
      text: "むん",
      html,
      raw: mime,
    });
    expect(forNobody).toEqual([]);
  });

  it("answers a missing Source with an SES InvalidParameterValue error", async () => {
    // Act
    const sending = client.send(
      new SendEmailCommand({
        Source: undefined,
        Destination: { ToAddresses: ["customer@example.com"] },
        Message: { Subject: { Data: "件名" }, Body: { Text: { Data: "本文" } } },
      }),
    );

    // Assess
    await expect(sending).rejects.toMatchObject({
      name: "InvalidParameterValue",
      $metadata: { httpStatusCode: 400 },
    });
    await expect(
      client.send(
        new SendEmailCommand({
          Source: "shop@example.com",
          Destination: {},
          Message: { Subject: { Data: "件名" }, Body: { Text: { Data: "本文" } } },
        }),
      ),
    ).rejects.toMatchObject({ name: "InvalidParameterValue" });
    expect(await stored()).toEqual([]);
  });

  it("surfaces injected faults as SDK errors and stores nothing for them", async () => {
    // Prepare
    await putFaults([
      { operation: "SendEmail", kind: "throttle", count: 1 },
      { operation: "SendEmail", kind: "http503", count: 1 },
    ]);
    const command = new SendEmailCommand({
      Source: "shop@example.com",
      Destination: { ToAddresses: ["customer@example.com"] },
      Message: { Subject: { Data: "件名" }, Body: { Text: { Data: "本文" } } },
    });

    // Act and assess
    await expect(client.send(command)).rejects.toMatchObject({
      name: "Throttling",
      $metadata: { httpStatusCode: 400 },
    });
    await expect(client.send(command)).rejects.toMatchObject({
      name: "ServiceUnavailable",
      $metadata: { httpStatusCode: 503 },
    });
    expect(await stored()).toEqual([]);
    await client.send(command);
    expect(await stored()).toHaveLength(1);
  });

  it("clears the store on DELETE /store", async () => {
    // Prepare
    await client.send(
      new SendEmailCommand({
        Source: "shop@example.com",
        Destination: { ToAddresses: ["customer@example.com"] },
        Message: { Subject: { Data: "件名" }, Body: { Text: { Data: "本文" } } },
      }),
    );

    // Act
    const response = await fetch(`${ses.url}/store`, { method: "DELETE" });

    // Assess
    expect(response.status).toBe(204);
    expect(await stored()).toEqual([]);
  });
});

describe("the service's SES client", () => {
  it("gives up on a request SES never answers within its timeout, SDK retries included", async () => {
    // Prepare: SES holds every SendEmail open without answering.
    await putFaults([{ operation: "SendEmail", kind: "timeout" }]);
    const service = sesClient({
      region: "ap-northeast-1",
      timeoutMs: 200,
      endpoint: ses.url,
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    const started = performance.now();

    // Act
    const sent = service.sendEmail({
      Source: "loyalty@example.com",
      Destination: { ToAddresses: ["taro.yamada@example.com"] },
      Message: { Subject: { Data: "s" }, Body: { Text: { Data: "t" } } },
    });

    // Assess: refused, well before the emulator would let go of the request (120 s).
    await expect(sent).rejects.toThrow(/timeout/i);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
