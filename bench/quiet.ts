// Imported first by the bench: the handlers' logger is made when its module is first imported,
// which happens before the local stack sets the handlers' environment, so the level must be set
// here. WARN keeps the printed report readable; deployed functions log at INFO (stage config).
process.env.POWERTOOLS_LOG_LEVEL ??= "WARN";
// The SDK's notice that its 2027 releases need Node 22 (Lambda runs nodejs22.x).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

export {};
