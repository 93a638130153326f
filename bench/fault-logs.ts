import { logger } from "../shared/observability";

/**
 * The handlers' logs in the runs that inject faults (`npm run soak`, `npm run faults`): every
 * injected fault would make a handler warn, and the run's report says what happened, so they log
 * errors only unless POWERTOOLS_LOG_LEVEL asks for more. Read when this module is imported, so
 * before the run starts a local stack (which sets the handlers' environment); the AWS SDK's notice
 * that its 2027 releases need Node.js 22 (Lambda runs nodejs22.x) is turned off then too, before
 * any client is made.
 */
const requested = process.env.POWERTOOLS_LOG_LEVEL;
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

/** The level to put in the local stack's environment for the handlers. */
export const faultRunLogLevel = requested ?? "ERROR";

/**
 * The handlers share this process's logger, made when its module was first imported, before the
 * stack's environment was set: it takes the level now.
 */
export function applyFaultRunLogLevel(): void {
  if (requested === undefined) logger.setLogLevel("ERROR");
}
