/** Typed bindings for the hashicorp/aws >= 6.28.0 resources and blocks the prebuilt @cdktf/provider-aws 21.x lacks. */
export * from './cloudfront-connection-function';
export * from './cloudfront-trust-store';
export * from './cloudfront-distribution-mtls';
export * from './awscc-cloudfront-trust-store';
export { AWS_PROVIDER_CONSTRAINT, AWSCC_PROVIDER_CONSTRAINT, AWSCC_PROVIDER_METADATA, CONNGATE_AWS_PROVIDER_METADATA } from './provider-metadata';
