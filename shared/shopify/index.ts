export type * from "./ports";
