/** Hash routes, so every screen is a static page on S3 and a deep link needs no server rewrite. */
export type Route =
  | { screen: "coupons"; params: URLSearchParams }
  | { screen: "coupon"; code: string }
  | { screen: "reviews" }
  | { screen: "points" }
  | { screen: "rewards" }
  | { screen: "reward"; rewardId: string | undefined; created: boolean };

export function routeOf(hash: string): Route {
  const [path = "", query = ""] = hash.replace(/^#/, "").split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  if (parts[0] === "coupons" && parts[1]) return { screen: "coupon", code: parts[1] };
  if (parts[0] === "reviews") return { screen: "reviews" };
  if (parts[0] === "points") return { screen: "points" };
  if (parts[0] === "rewards" && parts[1] === "new")
    return { screen: "reward", rewardId: undefined, created: false };
  if (parts[0] === "rewards" && parts[1]) {
    return { screen: "reward", rewardId: parts[1], created: new URLSearchParams(query).has("created") };
  }
  if (parts[0] === "rewards") return { screen: "rewards" };
  return { screen: "coupons", params: new URLSearchParams(query) };
}

export function navigate(hash: string) {
  if (window.location.hash === hash) window.dispatchEvent(new HashChangeEvent("hashchange"));
  else window.location.hash = hash;
}
