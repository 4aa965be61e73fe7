/** The Redis the tests that need one use (docs/testing.md, What the suite needs). */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL?.trim() || 'redis://127.0.0.1:6379';
