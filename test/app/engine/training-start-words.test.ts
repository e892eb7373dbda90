// training.start over the protocol: the engine checks every request against methodSchemas
// (app/shared/protocol.ts), and a word listed twice is refused there, with a message that
// names it, before any run starts (a model with two classes of one name could not be
// imported again once exported).
import { describe, expect, it } from 'vitest';
import { methodSchemas } from '../../../app/shared/protocol.js';

const start = methodSchemas['training.start'];

describe('training.start words', () => {
  it('accepts each word once, or no list at all', () => {
    expect(start.safeParse({ words: ['yes', 'no', 'Yes'] }).success).toBe(true);
    expect(start.safeParse({}).success).toBe(true);
  });

  it('refuses a word listed twice, naming it', () => {
    const r = start.safeParse({ words: ['yes', 'no', 'yes'] });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['words', 'each word once: "yes" is listed twice']]);
  });
});
