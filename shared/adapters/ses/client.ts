import { SESClient, type SESClientConfig } from "@aws-sdk/client-ses";

/**
 * The SES client of the customer's emails and the admins' alerts. Like the POS and Shopify
 * clients it gives up on a request that does not answer: without a request timeout, one SES call
 * that never answered held the sending task until its Lambda timed out (and forever where no
 * function timeout applies), however short the other dependencies' timeouts were.
 */
export function sesClient(options: {
  region: string;
  timeoutMs: number;
  endpoint?: string;
  credentials?: SESClientConfig["credentials"];
}): SESClient {
  return new SESClient({
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
}
