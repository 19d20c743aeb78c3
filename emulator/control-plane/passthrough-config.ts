import { CACHING_DISABLED_POLICY_ID } from '../limits';
import { ApiError } from '../wire/api-error';

type Config = Record<string, any>;

function items(list: any): any[] {
  return Array.isArray(list?.Items) ? list.Items : [];
}

/**
 * AWS's conditions for viewer mTLS passthrough: no trust store, the CachingDisabled policy on every cache behavior,
 * no Origin Shield and no Lambda@Edge. The exact error CloudFront returns is not documented; the emulator answers
 * InvalidArgument naming the field.
 */
export function checkPassthroughConfig(c: Config): void {
  const bad = (what: string) => { throw new ApiError('InvalidArgument', 400, `ViewerMtlsConfig.Mode passthrough: ${what}`); };
  if (c.ViewerMtlsConfig?.TrustStoreConfig) bad('TrustStoreConfig must be absent (passthrough has no trust store).');
  const behaviors: [string, Config][] = [['DefaultCacheBehavior', c.DefaultCacheBehavior ?? {}],
    ...items(c.CacheBehaviors).map((b: Config, i: number): [string, Config] => [`CacheBehaviors.Items[${i}]`, b])];
  for (const [at, b] of behaviors) {
    if (b.CachePolicyId !== CACHING_DISABLED_POLICY_ID) bad(`${at}.CachePolicyId must be the CachingDisabled policy ${CACHING_DISABLED_POLICY_ID}.`);
    if (items(b.LambdaFunctionAssociations).length > 0) bad(`${at}.LambdaFunctionAssociations must be empty (no Lambda@Edge).`);
  }
  items(c.Origins).forEach((o: Config, i: number) => {
    if (o.OriginShield?.Enabled === true) bad(`Origins.Items[${i}].OriginShield must not be enabled.`);
  });
}
