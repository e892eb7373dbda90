import { describe, expect, it } from 'vitest';
import { MIC_MESSAGES, toMicError } from '../../renderer/src/audio/mic-errors.js';
import { captureConstraints, CAPTURE_PROCESSING } from '../../renderer/src/audio/constraints.js';

describe('toMicError', () => {
  it.each([
    ['NotAllowedError', 'denied'], ['SecurityError', 'denied'],
    ['NotFoundError', 'no-device'], ['OverconstrainedError', 'no-device'],
    ['NotReadableError', 'busy'], ['AbortError', 'busy'],
    ['TypeError', 'failed'],
  ])('%s → %s with its message', (name, kind) => {
    const e = toMicError(Object.assign(new Error('x'), { name }));
    expect(e.kind).toBe(kind);
    expect(e.message).toBe(MIC_MESSAGES[e.kind]);
  });
});

describe('captureConstraints', () => {
  it('asks for the same processing (all off) with or without a device', () => {
    const a = captureConstraints().audio as Record<string, unknown>;
    const b = captureConstraints('abc').audio as Record<string, unknown>;
    for (const c of [a, b]) for (const [k, v] of Object.entries(CAPTURE_PROCESSING)) expect(c[k]).toBe(v);
    expect(b.deviceId).toEqual({ exact: 'abc' });
    expect(a.deviceId).toBeUndefined();
  });
});
