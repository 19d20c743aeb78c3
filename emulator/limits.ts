/** Service limits the emulator enforces, as CloudFront documents them. */
export const LIMITS = {
  functionCodeBytes: 10 * 1024,
  functionsPerAccount: 100,
  /** Connection function, key value store and trust store names. */
  namePattern: /^[a-zA-Z0-9\-_]{1,64}$/,
  connectionObjectBytes: 40960,
  kvsKeyBytes: 512,
  kvsValueBytes: 1024,
  kvsStoreBytes: 5 * 1024 * 1024,
  kvsKeysPerUpdate: 50,
  kvsUpdateBytes: 3 * 1024 * 1024,
  kvsListMaxResults: 50,
  tagKeyChars: 128,
  tagValueChars: 256,
  tagsPerResource: 50,
  /** Functions that may use one key value store. */
  functionsPerKeyValueStore: 10,
  trustStoresPerAccount: 20,
  distributionsPerTrustStore: 25,
  caBundleBytes: 64 * 1024,
  caBundleCertificates: 25,
  /** Longest certificate chain a trust store validates (leaf included). */
  trustStoreChainDepth: 4,
} as const;

/** Managed-CachingDisabled, the only cache policy a passthrough distribution may use. */
export const CACHING_DISABLED_POLICY_ID = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';

export const SUPPORTED_CONNECTION_RUNTIME = 'cloudfront-js-2.0';
