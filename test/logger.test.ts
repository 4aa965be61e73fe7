import { describe, expect, it } from 'vitest';
import { errorFields } from '../src/logger.js';

describe('errorFields', () => {
  it('keeps quoted values of database messages out of the log, and bounds every message', () => {
    const database = new Error('Raw query failed. Code: `54000`. Message: `word is too long in tsquery: "\'k:secret-user-text\'"`');
    database.name = 'PrismaClientKnownRequestError';
    const logged = JSON.stringify(errorFields(database));
    expect(logged).not.toContain('secret-user-text');
    expect(logged).toContain('word is too long in tsquery');
    expect(logged).toContain('54000');

    // Our own errors keep their text (it is ours), bounded; the stack keeps its frames only.
    const own = new Error(`bug in "${'x'.repeat(5000)}"`);
    const fields = errorFields(own) as { error: { message: string; stack: string } };
    expect(fields.error.message.length).toBeLessThanOrEqual(1000);
    expect(fields.error.stack).toMatch(/^\s+at /);
    expect(fields.error.stack).not.toContain('xxxx');
  });
});
