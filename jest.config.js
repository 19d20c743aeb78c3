// The AWS SDK's notice that its 2027 releases need Node 22 is noise in test output (bin/conngate.js does the same).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Tests run from the TypeScript sources, transpiled file by file (tsconfig isolatedModules; `npm run build` type-checks everything first). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
