import type { SESClientConfig, SendEmailCommandInput, SendEmailCommandOutput } from "@aws-sdk/client-ses";
import { onFirstUse } from "../lazy";

/** The one SES call the service makes. The SDK's aggregated `SES` client has it (tests pass one). */
export interface SesApi {
  sendEmail(input: SendEmailCommandInput): Promise<SendEmailCommandOutput>;
}

/**
 * The SES client of the customer's emails and the admins' alerts, created on its first call (most
 * requests send no email, so most never load the SDK). Like the POS and Shopify clients it gives up
 * on a request that does not answer: without a request timeout, one SES call that never answered
 * held the sending task until its Lambda timed out (and forever where no function timeout
 * applies), however short the other dependencies' timeouts were.
 */
export function sesClient(options: {
  region: string;
  timeoutMs: number;
  endpoint?: string;
  credentials?: SESClientConfig["credentials"];
}): SesApi {
  const client = onFirstUse(async () => {
    const { SES } = await import("@aws-sdk/client-ses");
    return new SES({
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      // The handler only warns about a request past its timeout unless told to fail it.
      requestHandler: {
        requestTimeout: options.timeoutMs,
        connectionTimeout: options.timeoutMs,
        throwOnRequestTimeout: true,
      },
    });
  });
  return { sendEmail: async (input) => (await client()).sendEmail(input) };
}
