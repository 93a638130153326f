// Imported first by the bench: the handlers' logger is made when its module is first imported,
// which happens before the local stack sets the handlers' environment, so the level must be set
// here. WARN keeps the printed report readable; deployed functions log at INFO (stage config).
process.env.POWERTOOLS_LOG_LEVEL ??= "WARN";

export {};
