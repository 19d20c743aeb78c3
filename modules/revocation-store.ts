import { Construct } from 'constructs';
import { CloudfrontKeyValueStore } from '@cdktf/provider-aws/lib/cloudfront-key-value-store';
import { CloudfrontkeyvaluestoreKey } from '@cdktf/provider-aws/lib/cloudfrontkeyvaluestore-key';
import { UserError } from '../diagnostics/user-error';
import { canonicalSerial } from '../revocation/canonical-serial';

/** KeyValueStore names: CloudFront allows 1-64 of a-z A-Z 0-9 - _. */
const STORE_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

/** Value stored under the canary key; the function only checks that the key exists. */
export const CANARY_VALUE = 'conngate-canary';

/** Properties of a {@link RevocationStore}. */
export interface RevocationStoreProps {
  /** Name of the KeyValueStore (1-64 of a-z A-Z 0-9 - _). */
  readonly storeName: string;
  /**
   * Comment on the store.
   * @default "Revoked client-certificate serials (conngate)"
   */
  readonly comment?: string;
  /**
   * A revoked serial kept in the store by Terraform so the deny path can be verified in every stage; must be
   * canonical (lowercase hex, no separators, no leading zero bytes).
   * @default no canary key
   */
  readonly canarySerial?: string;
  /**
   * Tags on the store (`tags`, hashicorp/aws >= 6.66.0; with 6.66.0 the provider's default_tags reach the store too).
   * @default no tags of its own
   */
  readonly tags?: Record<string, string>;
}

/**
 * The CloudFront KeyValueStore of revoked client-certificate serials, keyed by canonical serial, plus an optional
 * Terraform-managed canary key. Revocation sync owns every other key.
 */
export class RevocationStore extends Construct {
  /** The store resource. */
  public readonly store: CloudfrontKeyValueStore;
  /** The canary key resource, when a canary serial was given. */
  public readonly canaryKey?: CloudfrontkeyvaluestoreKey;
  /** The store name (known at synth time). */
  public readonly storeName: string;
  /** The canonical canary serial, when set. */
  public readonly canarySerial?: string;

  public constructor(scope: Construct, id: string, props: RevocationStoreProps) {
    super(scope, id);
    if (!STORE_NAME_PATTERN.test(props.storeName)) {
      throw new UserError('RevocationStore storeName', `invalid KeyValueStore name "${props.storeName}": must be 1-64 characters of a-z A-Z 0-9 - _`,
        'shorten or rename it (namePrefix in conngate.config.json feeds it)');
    }
    if (props.canarySerial !== undefined) {
      const canonical = canonicalSerial(props.canarySerial);
      if (canonical === undefined) {
        throw new UserError('RevocationStore canarySerial', `"${props.canarySerial}" is not a hex certificate serial`,
          'use hex digits only, e.g. "0badc0de0badc0de"');
      }
      if (canonical !== props.canarySerial) {
        throw new UserError('RevocationStore canarySerial', `"${props.canarySerial}" is not in canonical form`,
          `write it as "${canonical}" (lowercase hex, no separators, no leading zero bytes)`);
      }
    }
    this.storeName = props.storeName;
    this.canarySerial = props.canarySerial;
    this.store = new CloudfrontKeyValueStore(this, 'Store', {
      name: props.storeName,
      comment: props.comment ?? 'Revoked client-certificate serials (conngate)',
    });
    // The prebuilt binding (provider 6.25.0) predates the store's `tags` argument.
    if (props.tags && Object.keys(props.tags).length > 0) this.store.addOverride('tags', props.tags);
    if (props.canarySerial !== undefined) {
      this.canaryKey = new CloudfrontkeyvaluestoreKey(this, 'CanaryKey', {
        keyValueStoreArn: this.store.arn,
        key: props.canarySerial,
        value: CANARY_VALUE,
      });
    }
  }

  /** The store ARN token. */
  public get arn(): string {
    return this.store.arn;
  }
}
