import { InvalidRequest } from "../errors";

const customerGid = /^gid:\/\/shopify\/Customer\/([1-9]\d{0,19})$/;

/**
 * The member number of a Shopify customer: the numeric part of its gid
 * (`gid://shopify/Customer/8840734670934` -> `8840734670934`). Smaregi stores it in the member code,
 * which holds at most 20 ASCII characters.
 */
export function memberNumberFromCustomerGid(gid: string): string {
  const memberNumber = customerGid.exec(gid)?.[1];
  if (!memberNumber) throw new InvalidRequest("invalid_customer_id", "Not a Shopify customer id.");
  return memberNumber;
}
