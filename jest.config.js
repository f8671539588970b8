/** CDK and catalog tests. Type-checking happens once, in `tsc --noEmit`; jest only strips types (@swc/jest). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  testTimeout: 120000,
};
