export * from "./api";
export * from "./format";
export * from "./screen";
export * from "./strings";
