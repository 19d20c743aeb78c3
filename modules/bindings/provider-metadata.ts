/**
 * Generator metadata for the bindings written here: they model hashicorp/aws 6.28.0, the first provider release
 * with connection functions, trust stores and the distribution's viewer mTLS blocks.
 */
export const CONNGATE_AWS_PROVIDER_METADATA = {
  providerName: 'aws',
  providerVersion: '6.28.0',
  providerVersionConstraint: '>= 6.28.0, < 7.0.0',
} as const;

/** The `required_providers` constraint every stage stack declares for hashicorp/aws. */
export const AWS_PROVIDER_CONSTRAINT = CONNGATE_AWS_PROVIDER_METADATA.providerVersionConstraint;

/**
 * The hashicorp/awscc provider, for `awscc_cloudfront_trust_store` (the only managed way to set the trust store's
 * UseClientCertificateOCSPEndpoint while hashicorp/aws cannot). 1.97.0 is the oldest release whose generated
 * bindings we saw carry `use_client_certificate_ocsp_endpoint`; an older one may have it too.
 */
export const AWSCC_PROVIDER_METADATA = {
  providerName: 'awscc',
  providerVersion: '1.97.0',
  providerVersionConstraint: '>= 1.97.0, < 2.0.0',
} as const;

/** The `required_providers` constraint a stage declares for hashicorp/awscc when a trust store checks OCSP. */
export const AWSCC_PROVIDER_CONSTRAINT = AWSCC_PROVIDER_METADATA.providerVersionConstraint;
