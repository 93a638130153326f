import { adminOperations } from "../admin/operations";
import { cancellationOperations } from "../cancellation/operations";
import { webhookOperations } from "../usage/api";
import type { ApiOperation } from "./contract";
import { customerOperations } from "./customer-operations";
import { openApiDocument } from "./openapi";
import { rewardOperations } from "./reward-operations";

/** Every documented operation; a test holds this equal to the route catalog. */
export const apiOperations: readonly ApiOperation[] = [
  ...customerOperations,
  ...adminOperations,
  ...cancellationOperations,
  ...webhookOperations,
  ...rewardOperations,
];

export const openApi = () =>
  openApiDocument(apiOperations, { title: "Loyalty points and coupons", version: "1.0.0" });
