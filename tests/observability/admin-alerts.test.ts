import { SES, SESClient, SendEmailCommand } from "@aws-sdk/client-ses";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import { EmailAdminAlerts, SesEmailSender } from "../../shared/adapters/ses/email";
import { printedLines } from "../support/printed-lines";

describe("Admin alert emails", () => {
  it.each([
    ["with the configuration set that counts bounces and complaints", "Loyalty-demo-mail"],
    ["without a configuration set when none is configured (the local stack)", undefined],
  ] as const)("are sent %s", async (_label, configurationSet) => {
    // Prepare
    const ses = mockClient(SESClient);
    ses.on(SendEmailCommand).resolves({ MessageId: "m-1" });
    const alerts = new EmailAdminAlerts(
      new SesEmailSender(new SES({ region: "ap-northeast-1" }), "loyalty@example.com", configurationSet),
      "ops@example.com",
      "demo",
    );

    // Act: the alert's log line is captured, not printed.
    await printedLines(() =>
      alerts.raise("needs_review", "deduction outcome unknown", { conversionId: "c1" }),
    );

    // Assess
    const input = ses.commandCalls(SendEmailCommand)[0]?.args[0].input;
    expect(input?.Destination?.ToAddresses).toEqual(["ops@example.com"]);
    expect(input?.ConfigurationSetName).toBe(configurationSet);
    ses.restore();
  });
});
