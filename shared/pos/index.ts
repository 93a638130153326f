export { InMemoryMemberDirectory, type InMemoryMemberDirectoryOptions } from "./member-directory";
export { memberNumberFromCustomerGid } from "./member-number";
export * from "./ports";
