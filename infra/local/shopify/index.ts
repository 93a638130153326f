export {
  createShopifyEmulator,
  type RunningShopifyEmulator,
  type ShopifyEmulator,
  type ShopifyEmulatorOptions,
  type ShopifyLatencyProfile,
  shopifyLatencyProfiles,
  startShopifyEmulator,
} from "./emulator";
export type { DiscountRecord, MetafieldRecord, ShopifyStore } from "./store";
export { type OrderTopic, signWebhookBody } from "./webhooks";
