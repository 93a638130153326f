/**
 * The local stand-in for the admin OIDC issuer (a Cognito user pool in AWS). The local gateway
 * verifies admin tokens with the public key, as API Gateway's JWT authorizer does with the pool's
 * JWKS; `npm run token -- --admin` signs with the private key.
 *
 * LOCAL ONLY: this key pair is public by being in the repository and signs nothing real.
 */
import type { JWK } from "jose";

export const localAdminIssuer = {
  issuer: "https://admin-issuer.loyalty.local",
  /** The admin console's client id, the token's `aud` (Cognito: `client_id` of access tokens). */
  audience: "loyalty-admin-console",
  publicKey: {
    kty: "RSA",
    n: "j6ithwVMAM18CqifIRv4nsR1Wb5x84TZ29rnbQCEEXMsKqLVePhYAnTpYLz_193d2IU9pdoKKRTSycvxA7vXvVGjIz0_4HHLvpfn9lZRmDuUrHgnGFB6o0oimwWrqAnsC4x7cb8pMfGbzf4OV9sTxIGuwB6ABJ18g2_45HBbTGovWwYLgwV7vDgJRo8kHeZ69j8ZXKyMpjfjyRnrwASlts_eto-g1oREbNpjeGzn_hH6Fj_AWwJXIXYvIvAQzP7SNC669ZzBa9xCcnm0cUQlTwbL-wShNOK3eFDbeNJrClqNU8PSFLAUz3ERj4vQ8EZpmvYtIr6XzaZBe0d0nDVd6w",
    e: "AQAB",
    kid: "local-admin-1",
    alg: "RS256",
  } as JWK,
  privateKey: {
    kty: "RSA",
    n: "j6ithwVMAM18CqifIRv4nsR1Wb5x84TZ29rnbQCEEXMsKqLVePhYAnTpYLz_193d2IU9pdoKKRTSycvxA7vXvVGjIz0_4HHLvpfn9lZRmDuUrHgnGFB6o0oimwWrqAnsC4x7cb8pMfGbzf4OV9sTxIGuwB6ABJ18g2_45HBbTGovWwYLgwV7vDgJRo8kHeZ69j8ZXKyMpjfjyRnrwASlts_eto-g1oREbNpjeGzn_hH6Fj_AWwJXIXYvIvAQzP7SNC669ZzBa9xCcnm0cUQlTwbL-wShNOK3eFDbeNJrClqNU8PSFLAUz3ERj4vQ8EZpmvYtIr6XzaZBe0d0nDVd6w",
    e: "AQAB",
    d: "VyqsypXBiBB73fvH56Rmi-9TRSD0A3lDYiNw811cxTnHksHlcCvqkD21Xaf66lW08QE9EWU7b7HdiemKVA77gzlbGLFmu3OmLKn_as5KtBQddzNwhVBPxBniOtiLT2q1zvbD8EC4E5Xbnnczkhtb4zV3fcWuknOnGW7Xlm9A9nE5UlRBLV2qX97oJ_c0m0Q75BwsMEaEQTUoO3wIwaZXt5eVLBMTRsI6FbdEimGw2D_XMuYtcTNrt7oMRtWjcdDt15bNJHnWSJ9O_8EBfUi7WX-4yMpgyFRrOykaATbfBg_1luDGgzrqqcJSC5r8RS0tCJgUbxxV5PfkMEHaOyYR",
    p: "yMyWbU7r5vNBvNK1v569GZMPLIrm59GJymnmI2YwwroZlFNioYRjUreipiJ_MGxqlGoQtN6vBywelAW33K8iXnXUUEWzwYqX-qI481f94Cte4cBTxy40UgkVhQIFL0sPli_y7fmv66wpoy6t3dUGCHJMt5mjOaFRXqV9W5z8Z78",
    q: "tybLgnNaHXQG3XA2vIyqvfgLkAkRZDtQlEB6wnXQ-gE25SUdNSD10HR87UGhhk2h33C7m_QCyGbQ2bwtWzXVPnhHxt8_SD3mdpVeaVme5rROQI-LxvPvcAvxLP1sM6n6PO7L5RwXE1bnUiJczNtCZBvbQ390Maq7a13I7nDv9NU",
    dp: "uDCSu-ntEoiJAH_4H7GonFD9VkqDzJm032uMo2QVzkmPNTPYAXjC8xlnpSV3rh-FFGbGtGKgAuBBnF4ybchoqmVDP-7wGNTc3Bb6Tp2kT4D5I_Ob5dVIQQf8KWnU_7DGt2l8WTb0XCYse3dSHW5Ofmj6XmAcDb0gOsVq3CKAlVk",
    dq: "HREiITzvY1dDs6cYeMoWWvnf0-cshGzJeA3Xrb8HAHZq4OkH_qORf5jNLtZIrUjq1MxOagzK2EVBBh1QUXZ0tmpecdiCcZOpXM6N4khf6JtbA_IEK_oQ2QZ8Kzi5EGX8mekIIP9ZRi93nNhpQ_XUTpEBNnAm368J-ZszxWvVGVU",
    qi: "jL8JDUS18-2JADKmeC5dYZBfNpF0fyAgei95Vz_g6e_StL3ws7u46TjqHFEquX1m1PZIJZ1pYVD26H3RbJEkzq_7SJdNiPgv5FWrO4pVovzTUhYBSxpRWLQjnMMMncL2wOKXEUiSKCs3x3CVKLepSS3-ih2bI8RgQOCyA3LfF-A",
    kid: "local-admin-1",
    alg: "RS256",
  } as JWK,
} as const;
