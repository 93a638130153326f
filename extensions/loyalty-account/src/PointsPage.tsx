/// <reference types="@shopify/ui-extensions/customer-account.page.render" />
/** @jsxImportSource preact */
import "@shopify/ui-extensions/preact";
import { render } from "preact";
import type { Host } from "./host";
import { PointsPage } from "./PointsView";

/** Target `customer-account.page.render`: the full points page. */
declare const shopify: Host;

export default async () => {
  render(<PointsPage host={shopify} />, document.body);
};
