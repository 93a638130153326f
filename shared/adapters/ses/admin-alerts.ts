import { type SESClient, SendEmailCommand } from "@aws-sdk/client-ses";
import type { AdminAlerts, AlertKind } from "../../conversion/ports";
import { logAlert, logger } from "../../observability";

/**
 * Alerts for the shop's admins: a structured log line and a metric (what alarms watch), and an
 * email through SES. Sending is best effort: an alert must never fail the step that raised it.
 */
export class EmailAdminAlerts implements AdminAlerts {
  constructor(
    private readonly ses: SESClient,
    private readonly from: string,
    private readonly to: string | undefined,
    private readonly stage: string,
    /** Sent with it so that bounces and complaints are counted (SES_CONFIGURATION_SET). */
    private readonly configurationSet?: string,
  ) {}

  async raise(kind: AlertKind, summary: string, details: Record<string, unknown>): Promise<void> {
    logAlert(kind, summary, details);
    if (!this.to) return;
    const lines = Object.entries(details).map(([key, value]) => `${key}: ${String(value)}`);
    try {
      await this.ses.send(
        new SendEmailCommand({
          Source: this.from,
          Destination: { ToAddresses: [this.to] },
          ...(this.configurationSet ? { ConfigurationSetName: this.configurationSet } : {}),
          Message: {
            Subject: { Data: `[loyalty ${this.stage}] ${kind}: ${summary}`.slice(0, 200), Charset: "UTF-8" },
            Body: {
              Text: {
                Data: [
                  summary,
                  "",
                  ...lines,
                  "",
                  "See the audit trail of the conversion for every step.",
                ].join("\n"),
                Charset: "UTF-8",
              },
            },
          },
        }),
      );
    } catch (error) {
      logger.error("admin alert email not sent", {
        alert: kind,
        error: error instanceof Error ? error.name : "unknown",
      });
    }
  }
}
