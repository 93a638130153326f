import { buildSchema } from "graphql";

/**
 * The slice of Shopify's Admin GraphQL schema that the loyalty service uses, with Shopify's own type,
 * field and enum names so that queries written against the real API validate here unchanged.
 */
export const adminSchemaSdl = /* GraphQL */ `
  scalar DateTime
  scalar Decimal
  scalar JSON
  scalar UnsignedInt64

  enum CurrencyCode {
    JPY
    USD
    CAD
    EUR
    GBP
    AUD
  }

  enum CountryCode {
    JP
    US
    CA
    GB
    DE
    FR
    AU
  }

  type MoneyV2 {
    amount: Decimal!
    currencyCode: CurrencyCode!
  }

  type PageInfo {
    hasNextPage: Boolean!
    hasPreviousPage: Boolean!
    startCursor: String
    endCursor: String
  }

  type CustomerEmailAddress {
    emailAddress: String!
  }

  type Customer {
    id: ID!
    email: String @deprecated(reason: "Use \`defaultEmailAddress.emailAddress\` instead.")
    defaultEmailAddress: CustomerEmailAddress
    firstName: String
    lastName: String
    displayName: String!
    locale: String!
    createdAt: DateTime!
    updatedAt: DateTime!
    metafield(namespace: String, key: String!): Metafield
  }

  type Metafield {
    id: ID!
    namespace: String!
    key: String!
    type: String!
    value: String!
    jsonValue: JSON!
    compareDigest: String!
    createdAt: DateTime!
    updatedAt: DateTime!
    ownerType: MetafieldOwnerType!
  }

  enum MetafieldOwnerType {
    CUSTOMER
  }

  enum DiscountStatus {
    ACTIVE
    EXPIRED
    SCHEDULED
  }

  enum DiscountClass {
    PRODUCT
    ORDER
    SHIPPING
  }

  enum DiscountBuyerSelection {
    ALL
  }

  type DiscountCombinesWith {
    orderDiscounts: Boolean!
    productDiscounts: Boolean!
    shippingDiscounts: Boolean!
  }

  type DiscountRedeemCode {
    id: ID!
    code: String!
    asyncUsageCount: Int!
  }

  type DiscountRedeemCodeConnection {
    nodes: [DiscountRedeemCode!]!
    pageInfo: PageInfo!
  }

  type Count {
    count: Int!
    precision: CountPrecision!
  }

  enum CountPrecision {
    EXACT
    AT_LEAST
  }

  type DiscountBuyerSelectionAll {
    all: DiscountBuyerSelection!
  }

  type DiscountCustomers {
    customers: [Customer!]!
  }

  union DiscountContext = DiscountBuyerSelectionAll | DiscountCustomers

  type DiscountCustomerAll {
    allCustomers: Boolean!
  }

  union DiscountCustomerSelection = DiscountCustomerAll | DiscountCustomers

  type DiscountAmount {
    amount: MoneyV2!
    appliesOnEachItem: Boolean!
  }

  type DiscountPercentage {
    percentage: Float!
  }

  type DiscountQuantity {
    quantity: UnsignedInt64!
  }

  type DiscountPurchaseAmount {
    amount: Decimal!
  }

  union DiscountEffect = DiscountAmount | DiscountPercentage

  type DiscountOnQuantity {
    quantity: DiscountQuantity!
    effect: DiscountEffect!
  }

  union DiscountCustomerGetsValue = DiscountAmount | DiscountOnQuantity | DiscountPercentage
  union DiscountCustomerBuysValue = DiscountPurchaseAmount | DiscountQuantity

  type Product {
    id: ID!
  }

  type ProductVariant {
    id: ID!
  }

  type Collection {
    id: ID!
  }

  type ProductConnection {
    nodes: [Product!]!
  }

  type ProductVariantConnection {
    nodes: [ProductVariant!]!
  }

  type CollectionConnection {
    nodes: [Collection!]!
  }

  type AllDiscountItems {
    allItems: Boolean!
  }

  type DiscountProducts {
    products(first: Int): ProductConnection!
    productVariants(first: Int): ProductVariantConnection!
  }

  type DiscountCollections {
    collections(first: Int): CollectionConnection!
  }

  union DiscountItems = AllDiscountItems | DiscountCollections | DiscountProducts

  type DiscountCustomerGets {
    value: DiscountCustomerGetsValue!
    items: DiscountItems!
    appliesOnOneTimePurchase: Boolean!
    appliesOnSubscription: Boolean!
  }

  type DiscountCustomerBuys {
    value: DiscountCustomerBuysValue!
    items: DiscountItems!
  }

  type DiscountMinimumSubtotal {
    greaterThanOrEqualToSubtotal: MoneyV2!
  }

  type DiscountMinimumQuantity {
    greaterThanOrEqualToQuantity: UnsignedInt64!
  }

  union DiscountMinimumRequirement = DiscountMinimumQuantity | DiscountMinimumSubtotal

  type DiscountCountryAll {
    allCountries: Boolean!
  }

  type DiscountCountries {
    countries: [CountryCode!]!
    includeRestOfWorld: Boolean!
  }

  union DiscountShippingDestinationSelection = DiscountCountries | DiscountCountryAll

  type DiscountCodeBasic {
    title: String!
    status: DiscountStatus!
    summary: String!
    startsAt: DateTime!
    endsAt: DateTime
    createdAt: DateTime!
    updatedAt: DateTime!
    asyncUsageCount: Int!
    usageLimit: Int
    appliesOncePerCustomer: Boolean!
    discountClasses: [DiscountClass!]!
    combinesWith: DiscountCombinesWith!
    codes(first: Int): DiscountRedeemCodeConnection!
    codesCount: Count
    context: DiscountContext!
    customerSelection: DiscountCustomerSelection! @deprecated(reason: "Use context instead.")
    customerGets: DiscountCustomerGets!
    minimumRequirement: DiscountMinimumRequirement
  }

  type DiscountCodeFreeShipping {
    title: String!
    status: DiscountStatus!
    summary: String!
    startsAt: DateTime!
    endsAt: DateTime
    createdAt: DateTime!
    updatedAt: DateTime!
    asyncUsageCount: Int!
    usageLimit: Int
    appliesOncePerCustomer: Boolean!
    discountClasses: [DiscountClass!]!
    combinesWith: DiscountCombinesWith!
    codes(first: Int): DiscountRedeemCodeConnection!
    codesCount: Count
    context: DiscountContext!
    customerSelection: DiscountCustomerSelection! @deprecated(reason: "Use context instead.")
    destinationSelection: DiscountShippingDestinationSelection!
    maximumShippingPrice: MoneyV2
    minimumRequirement: DiscountMinimumRequirement
  }

  type DiscountCodeBxgy {
    title: String!
    status: DiscountStatus!
    summary: String!
    startsAt: DateTime!
    endsAt: DateTime
    createdAt: DateTime!
    updatedAt: DateTime!
    asyncUsageCount: Int!
    usageLimit: Int
    usesPerOrderLimit: Int
    appliesOncePerCustomer: Boolean!
    discountClasses: [DiscountClass!]!
    combinesWith: DiscountCombinesWith!
    codes(first: Int): DiscountRedeemCodeConnection!
    codesCount: Count
    context: DiscountContext!
    customerSelection: DiscountCustomerSelection! @deprecated(reason: "Use context instead.")
    customerBuys: DiscountCustomerBuys!
    customerGets: DiscountCustomerGets!
  }

  union DiscountCode = DiscountCodeBasic | DiscountCodeBxgy | DiscountCodeFreeShipping

  type DiscountCodeNode {
    id: ID!
    codeDiscount: DiscountCode!
  }

  enum DiscountErrorCode {
    BLANK
    CONFLICT
    EQUAL_TO
    EXCEEDED_MAX
    GREATER_THAN
    GREATER_THAN_OR_EQUAL_TO
    IMPLICIT_DUPLICATE
    INCLUSION
    INTERNAL_ERROR
    INVALID
    INVALID_COMBINES_WITH_FOR_DISCOUNT_CLASS
    LESS_THAN
    LESS_THAN_OR_EQUAL_TO
    MAX_APP_DISCOUNTS
    MINIMUM_SUBTOTAL_AND_QUANTITY_RANGE_BOTH_PRESENT
    MISSING_ARGUMENT
    PRESENT
    TAKEN
    TOO_LONG
    TOO_MANY_ARGUMENTS
    TOO_SHORT
    VALUE_OUTSIDE_RANGE
  }

  type DiscountUserError {
    field: [String!]
    message: String!
    code: DiscountErrorCode
    extraInfo: String
  }

  input DiscountCombinesWithInput {
    orderDiscounts: Boolean
    productDiscounts: Boolean
    shippingDiscounts: Boolean
  }

  input DiscountCustomersInput {
    add: [ID!]
    remove: [ID!]
  }

  input DiscountContextInput @oneOf {
    all: DiscountBuyerSelection
    customers: DiscountCustomersInput
  }

  input DiscountCustomerSelectionInput {
    all: Boolean
    customers: DiscountCustomersInput
  }

  input DiscountAmountInput {
    amount: Decimal
    appliesOnEachItem: Boolean
  }

  input DiscountEffectInput {
    amount: Decimal
    percentage: Float
  }

  input DiscountOnQuantityInput {
    quantity: UnsignedInt64
    effect: DiscountEffectInput
  }

  input DiscountCustomerGetsValueInput {
    discountAmount: DiscountAmountInput
    discountOnQuantity: DiscountOnQuantityInput
    percentage: Float
  }

  input DiscountProductsInput {
    productsToAdd: [ID!]
    productsToRemove: [ID!]
    productVariantsToAdd: [ID!]
    productVariantsToRemove: [ID!]
  }

  input DiscountCollectionsInput {
    add: [ID!]
    remove: [ID!]
  }

  input DiscountItemsInput {
    all: Boolean
    products: DiscountProductsInput
    collections: DiscountCollectionsInput
  }

  input DiscountCustomerGetsInput {
    value: DiscountCustomerGetsValueInput
    items: DiscountItemsInput
    appliesOnOneTimePurchase: Boolean
    appliesOnSubscription: Boolean
  }

  input DiscountCustomerBuysValueInput {
    amount: Decimal
    quantity: UnsignedInt64
  }

  input DiscountCustomerBuysInput {
    value: DiscountCustomerBuysValueInput
    items: DiscountItemsInput
  }

  input DiscountMinimumSubtotalInput {
    greaterThanOrEqualToSubtotal: Decimal
  }

  input DiscountMinimumQuantityInput {
    greaterThanOrEqualToQuantity: UnsignedInt64
  }

  input DiscountMinimumRequirementInput {
    subtotal: DiscountMinimumSubtotalInput
    quantity: DiscountMinimumQuantityInput
  }

  input DiscountCountriesInput {
    add: [CountryCode!]
    remove: [CountryCode!]
    includeRestOfWorld: Boolean
  }

  input DiscountShippingDestinationSelectionInput {
    all: Boolean
    countries: DiscountCountriesInput
  }

  input DiscountCodeBasicInput {
    title: String
    code: String
    startsAt: DateTime
    endsAt: DateTime
    context: DiscountContextInput
    customerSelection: DiscountCustomerSelectionInput @deprecated(reason: "Use \`context\` instead.")
    customerGets: DiscountCustomerGetsInput
    minimumRequirement: DiscountMinimumRequirementInput
    usageLimit: Int
    appliesOncePerCustomer: Boolean
    combinesWith: DiscountCombinesWithInput
    recurringCycleLimit: Int
  }

  input DiscountCodeFreeShippingInput {
    title: String
    code: String
    startsAt: DateTime
    endsAt: DateTime
    context: DiscountContextInput
    customerSelection: DiscountCustomerSelectionInput @deprecated(reason: "Use \`context\` instead.")
    destination: DiscountShippingDestinationSelectionInput
    maximumShippingPrice: Decimal
    minimumRequirement: DiscountMinimumRequirementInput
    usageLimit: Int
    appliesOncePerCustomer: Boolean
    appliesOnOneTimePurchase: Boolean
    appliesOnSubscription: Boolean
    combinesWith: DiscountCombinesWithInput
    recurringCycleLimit: Int
  }

  input DiscountCodeBxgyInput {
    title: String
    code: String
    startsAt: DateTime
    endsAt: DateTime
    context: DiscountContextInput
    customerSelection: DiscountCustomerSelectionInput @deprecated(reason: "Use \`context\` instead.")
    customerBuys: DiscountCustomerBuysInput
    customerGets: DiscountCustomerGetsInput
    usageLimit: Int
    usesPerOrderLimit: Int
    appliesOncePerCustomer: Boolean
    combinesWith: DiscountCombinesWithInput
  }

  type DiscountCodeBasicCreatePayload {
    codeDiscountNode: DiscountCodeNode
    userErrors: [DiscountUserError!]!
  }

  type DiscountCodeFreeShippingCreatePayload {
    codeDiscountNode: DiscountCodeNode
    userErrors: [DiscountUserError!]!
  }

  type DiscountCodeBxgyCreatePayload {
    codeDiscountNode: DiscountCodeNode
    userErrors: [DiscountUserError!]!
  }

  type DiscountCodeBasicUpdatePayload {
    codeDiscountNode: DiscountCodeNode
    userErrors: [DiscountUserError!]!
  }

  type DiscountCodeFreeShippingUpdatePayload {
    codeDiscountNode: DiscountCodeNode
    userErrors: [DiscountUserError!]!
  }

  type DiscountCodeBxgyUpdatePayload {
    codeDiscountNode: DiscountCodeNode
    userErrors: [DiscountUserError!]!
  }

  type DiscountCodeActivatePayload {
    codeDiscountNode: DiscountCodeNode
    userErrors: [DiscountUserError!]!
  }

  type DiscountCodeDeactivatePayload {
    codeDiscountNode: DiscountCodeNode
    userErrors: [DiscountUserError!]!
  }

  type DiscountCodeDeletePayload {
    deletedCodeDiscountId: ID
    userErrors: [DiscountUserError!]!
  }

  input CustomerInput {
    email: String
    firstName: String
    lastName: String
    locale: String
  }

  type UserError {
    field: [String!]
    message: String!
  }

  type CustomerCreatePayload {
    customer: Customer
    userErrors: [UserError!]!
  }

  input MetafieldsSetInput {
    ownerId: ID!
    namespace: String
    key: String!
    type: String
    value: String!
    compareDigest: String
  }

  enum MetafieldsSetUserErrorCode {
    APP_NOT_AUTHORIZED
    BLANK
    CAPABILITY_VIOLATION
    INCLUSION
    INTERNAL_ERROR
    INVALID_COMPARE_DIGEST
    INVALID_TYPE
    INVALID_VALUE
    LESS_THAN_OR_EQUAL_TO
    PRESENT
    STALE_OBJECT
    TAKEN
    TOO_LONG
    TOO_SHORT
  }

  type MetafieldsSetUserError {
    field: [String!]
    message: String!
    code: MetafieldsSetUserErrorCode
    elementIndex: Int
  }

  type MetafieldsSetPayload {
    metafields: [Metafield!]
    userErrors: [MetafieldsSetUserError!]!
  }

  type QueryRoot {
    customer(id: ID!): Customer
    codeDiscountNode(id: ID!): DiscountCodeNode @deprecated(reason: "Use \`discountNode\` instead.")
    codeDiscountNodeByCode(code: String!): DiscountCodeNode
  }

  type Mutation {
    discountCodeBasicCreate(basicCodeDiscount: DiscountCodeBasicInput!): DiscountCodeBasicCreatePayload
    discountCodeFreeShippingCreate(
      freeShippingCodeDiscount: DiscountCodeFreeShippingInput!
    ): DiscountCodeFreeShippingCreatePayload
    discountCodeBxgyCreate(bxgyCodeDiscount: DiscountCodeBxgyInput!): DiscountCodeBxgyCreatePayload
    discountCodeBasicUpdate(id: ID!, basicCodeDiscount: DiscountCodeBasicInput!): DiscountCodeBasicUpdatePayload
    discountCodeFreeShippingUpdate(
      id: ID!
      freeShippingCodeDiscount: DiscountCodeFreeShippingInput!
    ): DiscountCodeFreeShippingUpdatePayload
    discountCodeBxgyUpdate(id: ID!, bxgyCodeDiscount: DiscountCodeBxgyInput!): DiscountCodeBxgyUpdatePayload
    discountCodeActivate(id: ID!): DiscountCodeActivatePayload
    discountCodeDeactivate(id: ID!): DiscountCodeDeactivatePayload
    discountCodeDelete(id: ID!): DiscountCodeDeletePayload
    customerCreate(input: CustomerInput!): CustomerCreatePayload
    metafieldsSet(metafields: [MetafieldsSetInput!]!): MetafieldsSetPayload
  }

  schema {
    query: QueryRoot
    mutation: Mutation
  }
`;

export const adminSchema = buildSchema(adminSchemaSdl);
