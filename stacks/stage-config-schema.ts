import { promotionPolicySchema, stageNotifySchema } from './stage-workflow-config';
/** JSON Schema (draft-07, checked with ajv) of conngate.config.json. Every stage field is optional: defaults fill in. */

const s3Location = {
  type: 'object',
  additionalProperties: false,
  required: ['bucket', 'key'],
  properties: {
    bucket: { type: 'string', minLength: 3 },
    key: { type: 'string', minLength: 1 },
    region: { type: 'string', minLength: 1 },
    version: { type: 'string', minLength: 1 },
  },
} as const;

const backend = {
  type: 'object',
  required: ['type'],
  discriminator: { propertyName: 'type' },
  oneOf: [
    {
      additionalProperties: false,
      properties: { type: { const: 'local' }, path: { type: 'string', minLength: 1 } },
    },
    {
      additionalProperties: false,
      required: ['bucket'],
      properties: {
        type: { const: 's3' },
        bucket: { type: 'string', minLength: 3 },
        key: { type: 'string', minLength: 1 },
        region: { type: 'string', minLength: 1 },
        encrypt: { type: 'boolean' },
      },
    },
    {
      additionalProperties: false,
      required: ['organization'],
      properties: {
        type: { const: 'cloud' },
        organization: { type: 'string', minLength: 1 },
        workspace: { type: 'string', minLength: 1 },
        hostname: { type: 'string', minLength: 1 },
      },
    },
  ],
} as const;

const trustStore = {
  type: 'object',
  additionalProperties: false,
  properties: {
    caBundle: s3Location,
    trustStoreId: { type: 'string', minLength: 1 },
    name: { type: 'string', pattern: '^[a-zA-Z0-9_-]{1,64}$' },
    ocsp: { type: 'boolean' },
  },
} as const;

const stageFields = {
  promotion: promotionPolicySchema,
  notify: stageNotifySchema,
  namePrefix: { type: 'string', pattern: '^[a-zA-Z0-9_-]{1,40}$' },
  region: { type: 'string', pattern: '^[a-z]{2}(-[a-z]+)+-\\d$' },
  tags: { type: 'object', additionalProperties: { type: 'string' } },
  backend,
  promotesFrom: { type: ['string', 'null'] },
  functionFile: { type: 'string', minLength: 1 },
  suiteFile: { type: 'string', minLength: 1 },
  canarySerial: { type: 'string', minLength: 1 },
  crlCaFiles: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
  retiredCrlCaKeys: { type: 'array', items: { type: 'string', pattern: '^(sha256:)?[0-9a-fA-F]{64}$' } },
  allowPrivateCrlHosts: { type: 'boolean' },
  crlIdpAliases: { type: 'object', additionalProperties: { type: 'string', minLength: 1 } },
  mtls: {
    type: 'object',
    additionalProperties: false,
    properties: {
      mode: { enum: ['required', 'optional', 'passthrough'] },
      trustStore,
      ignoreCertificateExpiry: { type: 'boolean' },
      advertiseTrustStoreCaNames: { type: 'boolean' },
    },
  },
  origin: {
    type: 'object',
    additionalProperties: false,
    required: ['domainName'],
    properties: {
      domainName: { type: 'string', pattern: '^[^/:\\s]+$' },
      originPath: { type: 'string', pattern: '^/' },
    },
  },
  aliases: { type: 'array', items: { type: 'string', minLength: 1 } },
  acmCertificateArn: { type: 'string', pattern: '^arn:' },
  // Brownfield: "none", or an existing distribution someone else manages; the stack then declares no distribution.
  distribution: { oneOf: [{ const: 'none' }, { type: 'object', additionalProperties: false, required: ['existingId'], properties: { existingId: { type: 'string', pattern: '^[A-Z0-9]{1,64}$' } } }] },
  // Deploy and promote replay these connection logs against LIVE and the candidate first (docs/replay.md).
  replay: {
    type: 'object', additionalProperties: false, required: ['logs'],
    properties: { logs: { type: 'string', minLength: 1 }, maxChangedDecisions: { type: 'integer', minimum: 0 }, expected: { type: 'string', minLength: 1 } },
  },
  // conngate fuzz before anything is published (docs/fuzz.md): how many generated connections, which properties.
  fuzz: {
    type: 'object', additionalProperties: false,
    properties: {
      cases: { type: 'integer', minimum: 1, maximum: 10000000 },
      properties: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
      seed: { type: 'integer', minimum: -2147483648, maximum: 2147483647 },
    },
  },
  // The stage's AWS account: a profile and/or a role to assume (another account), for the stacks and the orchestrator.
  aws: {
    type: 'object', additionalProperties: false,
    properties: { profile: { type: 'string', minLength: 1 }, roleArn: { type: 'string', pattern: '^arn:aws[a-z-]*:iam::[0-9]{12}:role/' }, region: { type: 'string', pattern: '^[a-z]{2}(-[a-z]+)+-[0-9]$' }, endpoint: { type: 'string', pattern: '^https?://' } },
  },
} as const;

export const STAGE_CONFIG_FILE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    // The project's CDK framework when its package.json and node_modules do not tell (framework/cdk-framework.ts).
    framework: { enum: ['cdktn', 'cdktf'] },
    defaults: { type: 'object', additionalProperties: false, properties: stageFields },
    stages: {
      type: 'object',
      minProperties: 1,
      propertyNames: { pattern: '^[a-z][a-z0-9-]{0,19}$' },
      additionalProperties: { type: 'object', additionalProperties: false, properties: stageFields },
    },
  },
} as const;
