import type { ApiOperation } from "./contract";
import { customerOperations } from "./customer";
import { openApiDocument } from "./openapi";

/** Every documented operation; a test holds this equal to the route catalog. */
export const apiOperations: readonly ApiOperation[] = [...customerOperations];

export const openApi = () =>
  openApiDocument(apiOperations, { title: "Loyalty points and coupons", version: "1.0.0" });
