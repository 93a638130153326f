import { renderCouponCancelledEmail } from "../../cancellation/notice";
import type { CouponCancelledNotice, CustomerNotices } from "../../cancellation/ports";
import { logAlert, logger } from "../../observability";
import type { AdminAlerts, AlertKind } from "../../ports";
import type { SesApi } from "./client";

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

/**
 * The one way the service sends email: SES SendEmail from the configured sender, with the
 * configuration set so that bounces and complaints are counted (SES_CONFIGURATION_SET).
 */
export class SesEmailSender {
  constructor(
    private readonly ses: SesApi,
    private readonly from: string,
    private readonly configurationSet?: string,
  ) {}

  /** Sends one email; returns SES's message id. Throws when SES refuses or cannot be reached. */
  async send(email: OutgoingEmail): Promise<string> {
    const sent = await this.ses.sendEmail({
      Source: this.from,
      Destination: { ToAddresses: [email.to] },
      ...(this.configurationSet ? { ConfigurationSetName: this.configurationSet } : {}),
      Message: {
        Subject: { Data: email.subject, Charset: "UTF-8" },
        Body: {
          Text: { Data: email.text, Charset: "UTF-8" },
          ...(email.html !== undefined ? { Html: { Data: email.html, Charset: "UTF-8" } } : {}),
        },
      },
    });
    return sent.MessageId ?? "";
  }
}

/**
 * Alerts for the shop's admins: a structured log line and a metric (what alarms watch), and an
 * email. Sending is best effort: an alert must never fail the step that raised it.
 */
export class EmailAdminAlerts implements AdminAlerts {
  constructor(
    private readonly email: SesEmailSender,
    private readonly to: string | undefined,
    private readonly stage: string,
  ) {}

  async raise(kind: AlertKind, summary: string, details: Record<string, unknown>): Promise<void> {
    logAlert(kind, summary, details);
    if (!this.to) return;
    const lines = Object.entries(details).map(([key, value]) => `${key}: ${String(value)}`);
    try {
      await this.email.send({
        to: this.to,
        subject: `[loyalty ${this.stage}] ${kind}: ${summary}`.slice(0, 200),
        text: [summary, "", ...lines, "", "See the audit trail of the conversion for every step."].join("\n"),
      });
    } catch (error) {
      logger.error("admin alert email not sent", {
        alert: kind,
        error: error instanceof Error ? error.name : "unknown",
      });
    }
  }
}

/** The customer's emails, rendered by the cancellation's templates. */
export class SesCustomerNotices implements CustomerNotices {
  constructor(private readonly email: SesEmailSender) {}

  async sendCouponCancelled(notice: CouponCancelledNotice): Promise<string> {
    return this.email.send({ to: notice.to, ...renderCouponCancelledEmail(notice) });
  }
}
