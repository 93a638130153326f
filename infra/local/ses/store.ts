import { mailboxOf } from "./mime";

/** One message accepted by the local SES, as tests and the local runner read it back. */
export interface SentEmail {
  /** The MessageId SES answered with. */
  id: string;
  /** ISO 8601 time of acceptance. */
  at: string;
  action: "SendEmail" | "SendRawEmail";
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo: string[];
  subject: string;
  text: string | null;
  html: string | null;
  /** The MIME message of SendRawEmail, decoded as UTF-8; null for SendEmail. */
  raw: string | null;
}

/** Sent mail in memory, oldest first. */
export class SentEmails {
  private emails: SentEmail[] = [];

  add(email: SentEmail): void {
    this.emails.push(email);
  }

  /** `to` matches any recipient (To, Cc or Bcc) by mailbox, ignoring display names and case. */
  list(filter: { to?: string } = {}): SentEmail[] {
    const wanted = filter.to === undefined ? undefined : mailboxOf(filter.to);
    if (wanted === undefined) return [...this.emails];
    return this.emails.filter((email) =>
      [...email.to, ...email.cc, ...email.bcc].some((address) => mailboxOf(address) === wanted),
    );
  }

  clear(): void {
    this.emails = [];
  }
}
