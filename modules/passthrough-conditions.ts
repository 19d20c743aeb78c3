import { UserError } from '../diagnostics/user-error';
import type { MtlsDistributionProps } from './mtls-distribution-props';

/**
 * AWS's conditions for viewer mTLS `passthrough`: no trust store (and so none of its settings), the CachingDisabled
 * policy on every behavior, no Origin Shield and no Lambda@Edge. Refused at synth time, naming the prop and the fix,
 * because CloudFront would reject the distribution only at apply time, half-way through a deploy.
 */
export function checkPassthroughConditions(props: MtlsDistributionProps, cachingDisabledPolicyId: string): void {
  const refuse = (prop: string, what: string, fix: string): never => {
    throw new UserError(`MtlsDistribution ${prop}`, `passthrough mode ${what}`, fix);
  };
  if (props.trustStore) refuse('trustStore', 'takes no trust store', 'remove trustStore, or use mode "required" or "optional"');
  if (props.ignoreCertificateExpiry) refuse('ignoreCertificateExpiry', 'has no trust store whose expiry check could be ignored', 'remove ignoreCertificateExpiry (the function sees validity itself)');
  if (props.advertiseTrustStoreCaNames) refuse('advertiseTrustStoreCaNames', 'has no trust store CA names to advertise', 'remove advertiseTrustStoreCaNames');
  if (props.cachePolicyId !== undefined && props.cachePolicyId !== cachingDisabledPolicyId) {
    refuse('cachePolicyId', `needs the CachingDisabled policy on every behavior, not "${props.cachePolicyId}"`,
      `remove cachePolicyId or set it to "${cachingDisabledPolicyId}" (Managed-CachingDisabled)`);
  }
  if (props.originShieldRegion) refuse('originShieldRegion', 'cannot use Origin Shield', 'remove originShieldRegion');
  if (props.lambdaFunctionAssociations && props.lambdaFunctionAssociations.length > 0) {
    refuse('lambdaFunctionAssociations', 'cannot run Lambda@Edge', 'remove the Lambda@Edge associations (a connection function or CloudFront Function can do the check)');
  }
}
