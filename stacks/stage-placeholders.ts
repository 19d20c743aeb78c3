import { STAGE_CONFIG_FILE, type StageConfig } from './stage-config';

/** A value in a stage's config that stands in for one of the user's own: fine on the emulator, never on AWS. */
export interface StagePlaceholder {
  /** Where it is, as `conngate.config.json stages.<stage>.<field>`. */
  where: string;
  what: string;
  fix: string;
}

/** Domains reserved for documentation (RFC 2606): an origin there serves nobody's application. */
const PLACEHOLDER_DOMAINS = ['example.com', 'example.org', 'example.net', 'example', 'invalid', 'localhost', 'test'];

function isPlaceholderHost(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return PLACEHOLDER_DOMAINS.some((d) => h === d || h.endsWith(`.${d}`));
}

/**
 * The placeholders a stage still carries: an origin on a documentation domain (the built-in default is
 * example.com), and the built-in trust-store bundle location (`<namePrefix>-trust-store/ca-bundle.pem`, no version),
 * which exists in no account. `synth` and `doctor` name them; `deploy` to AWS refuses them.
 */
export function stagePlaceholders(config: StageConfig): StagePlaceholder[] {
  const at = (field: string) => `${STAGE_CONFIG_FILE} stages.${config.name}.${field}`;
  const found: StagePlaceholder[] = [];
  if (isPlaceholderHost(config.origin.domainName)) {
    found.push({ where: at('origin.domainName'), what: `origin "${config.origin.domainName}" is a placeholder`,
      fix: 'set origin.domainName to the host name of your HTTPS origin (conngate init --origin <host> writes it)' });
  }
  const ts = config.mtls.trustStore;
  if (ts.type === 's3' && ts.placeholder) {
    found.push({ where: at('mtls.trustStore.caBundle'), what: `no CA bundle configured (the default s3://${ts.bucket}/${ts.key} is a placeholder)`,
      fix: 'upload your client CA bundle to a versioned bucket and set mtls.trustStore.caBundle {bucket, key, version} (conngate init --ca-bundle s3://<bucket>/<key> writes it)' });
  }
  return found;
}
