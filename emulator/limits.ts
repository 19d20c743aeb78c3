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
} as const;

export const SUPPORTED_CONNECTION_RUNTIME = 'cloudfront-js-2.0';
