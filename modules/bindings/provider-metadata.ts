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
