import { Duration } from "aws-cdk-lib";
import { Metric } from "aws-cdk-lib/aws-cloudwatch";
import {
  CloudWatchDimensionSource,
  ConfigurationSet,
  EmailSendingEvent,
  EventDestination,
} from "aws-cdk-lib/aws-ses";
import { Construct } from "constructs";

export interface MailEventsProps {
  /** Names the configuration set after the stack. */
  readonly namePrefix: string;
}

/**
 * The dimension SES publishes the events under: its `ses:configuration-set` auto-tag, which every
 * message sent with the set carries (and the default value names the set too).
 */
export const MAIL_EVENT_DIMENSION = "ses:configuration-set";
/** SES events counted in CloudWatch (AWS/SES, one metric each). */
export const mailEvents = ["Send", "Delivery", "Bounce", "Complaint", "Reject"] as const;
export type MailEvent = (typeof mailEvents)[number];

/**
 * The SES configuration set every email is sent with (`SES_CONFIGURATION_SET`), and its CloudWatch
 * event destination: sends, deliveries, bounces, complaints and rejections become metrics the
 * bounce and complaint alarms read. Without it a bounced cancellation notice leaves no trace.
 */
export class MailEvents extends Construct {
  readonly configurationSet: ConfigurationSet;

  constructor(scope: Construct, id: string, props: MailEventsProps) {
    super(scope, id);
    const configurationSetName = `${props.namePrefix}-mail`;
    this.configurationSet = new ConfigurationSet(this, "ConfigurationSet", {
      configurationSetName,
      reputationMetrics: true,
    });
    this.configurationSet.addEventDestination("CloudWatch", {
      configurationSetEventDestinationName: "cloudwatch-metrics",
      destination: EventDestination.cloudWatchDimensions([
        {
          name: MAIL_EVENT_DIMENSION,
          source: CloudWatchDimensionSource.MESSAGE_TAG,
          defaultValue: configurationSetName,
        },
      ]),
      events: [
        EmailSendingEvent.SEND,
        EmailSendingEvent.DELIVERY,
        EmailSendingEvent.BOUNCE,
        EmailSendingEvent.COMPLAINT,
        EmailSendingEvent.REJECT,
      ],
    });
  }

  /** Events of this configuration set per 5 minutes. */
  metric(event: MailEvent, label?: string): Metric {
    return new Metric({
      namespace: "AWS/SES",
      metricName: event,
      dimensionsMap: { [MAIL_EVENT_DIMENSION]: this.configurationSet.configurationSetName },
      statistic: "Sum",
      period: Duration.minutes(5),
      ...(label ? { label } : {}),
    });
  }
}
