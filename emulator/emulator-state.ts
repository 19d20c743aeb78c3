/**
 * Everything the emulator knows, in a form that survives JSON (timestamps as ISO strings, code as base64,
 * store contents as ordered entries). One object per account; the state file holds exactly this.
 */
export const STATE_FORMAT = 'conngate-emulator-state';
export const STATE_VERSION = 1;

/** What every resource of the account has: the tagging, lookup and list operations work on these fields. */
export interface AccountResource {
  id: string;
  arn: string;
  created: string;
  tags: Record<string, string>;
}

/** One stage (DEVELOPMENT or LIVE) of a connection function. */
export interface FunctionStageState {
  codeBase64: string;
  comment: string;
  runtime: string;
  keyValueStoreArns: string[];
  etag: string;
  lastModified: string;
}

export interface ConnectionFunctionState extends AccountResource {
  name: string;
  development: FunctionStageState;
  /** Absent until the first publish. */
  live?: FunctionStageState;
  /** When the last publish happened; the LIVE stage reports PUBLISHING until the publish delay has passed. */
  publishedAt?: string;
  /** True when DEVELOPMENT holds changes that are not in LIVE. */
  unpublishedChanges: boolean;
}

export interface KeyValueStoreState extends AccountResource {
  name: string;
  comment: string;
  lastModified: string;
  /** The store reports PROVISIONING until this instant. */
  readyAt: string;
  /** Control-plane ETag (CreateKeyValueStore, UpdateKeyValueStore, DeleteKeyValueStore). */
  etag: string;
  /** Data-plane ETag, moved by every key write. */
  dataEtag: string;
  dataLastModified: string;
  /** Key -> value, kept in a Map so that keys such as `__proto__` are plain data. */
  items: Map<string, string>;
}

export interface TrustStoreState extends AccountResource {
  name: string;
  etag: string;
  lastModified: string;
  activeAt: string;
  bundleSource: Record<string, unknown>;
  /** How many CA certificates the bundle held when it was read from the emulator's S3. */
  numberOfCaCertificates?: number;
  /** The PEM certificates of the last bundle that could be read: what client certificates are validated against. */
  caCertificates?: string[];
  /** Why the last bundle read failed: the store is `failed` with this Reason once it leaves `pending`. */
  failureReason?: string;
  useClientCertificateOcspEndpoint: boolean;
}

export interface DistributionState extends AccountResource {
  domainName: string;
  etag: string;
  lastModified: string;
  /** The distribution reports InProgress until this instant. */
  deployedAt: string;
  /** The DistributionConfig exactly as the SDK shapes it. */
  config: Record<string, unknown>;
}

export interface EmulatorState {
  accountId: string;
  connectionFunctions: Map<string, ConnectionFunctionState>;
  keyValueStores: Map<string, KeyValueStoreState>;
  trustStores: Map<string, TrustStoreState>;
  distributions: Map<string, DistributionState>;
}

/** A fresh, empty account. */
export function emptyState(accountId: string): EmulatorState {
  return {
    accountId,
    connectionFunctions: new Map(),
    keyValueStores: new Map(),
    trustStores: new Map(),
    distributions: new Map(),
  };
}
