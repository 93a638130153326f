export { createLocalSes, type LocalSes, type LocalSesServer, startLocalSes } from "./server";
export { type SentEmail, SentEmails } from "./store";
