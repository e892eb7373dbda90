// Seeded random and malformed protocol messages, each built to be refused. Used by the
// engine fuzz test (and anyone else who wants hostile input); `expectsReply` says whether
// the engine can answer it by id or must answer with a 'protocol.error' event.
import { Random } from '../../../core/tensor/random.js';
import { METHOD_NAMES, MAX_CLIP_SAMPLES, methodSchemas } from '../../../app/shared/protocol.js';

export interface FuzzMessage {
  data: unknown;
  /** The id the answer must carry, or undefined when the answer is a protocol.error event. */
  replyId: string | undefined;
}

const PATHY = ['../x', '/etc/passwd', 'C:\\Windows', '..\\..\\a', 'a/../../b.wav', 'yes/../../x.wav', '\u0000', 'con', '.hidden', '_x', ' padded '];

export function fuzzMessages(count: number, seed: number): FuzzMessage[] {
  const rng = new Random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)];
  const str = (max = 12): string => {
    let s = '';
    const n = rng.int(max + 1);
    for (let i = 0; i < n; i++) s += String.fromCharCode(rng.int(2) ? 32 + rng.int(95) : rng.int(0x3000));
    return s;
  };
  const junk = (depth = 0): unknown => {
    switch (rng.int(depth > 2 ? 6 : 9)) {
      case 0: return null;
      case 1: return undefined;
      case 2: return rng.uniform(-1e9, 1e9);
      case 3: return pick([NaN, Infinity, -Infinity, -0, 2 ** 53, 1e308]);
      case 4: return str();
      case 5: return rng.int(2) === 1;
      case 6: return Array.from({ length: rng.int(4) }, () => junk(depth + 1));
      case 7: return Object.fromEntries(Array.from({ length: rng.int(4) }, () => [pick([str(6), 'label', 'path', 'name', 'samples', '__proto__', 'constructor']), junk(depth + 1)]));
      default: return pick([new Float32Array(rng.int(8)), new Uint8Array(rng.int(8)), new Float64Array(2)]);
    }
  };
  let serial = 0;
  const id = () => `fuzz-${serial++}`;

  const makers: Array<() => FuzzMessage> = [
    // Not an envelope at all.
    () => ({ data: junk(), replyId: undefined }),
    // Wrong type tag or shape, with an id the engine can answer.
    () => { const i = id(); return { data: { t: pick(['s', 'x', '', 1, null]), i, m: 'engine.info', a: [] }, replyId: i }; },
    () => { const i = id(); return { data: { t: 'q', i, m: 'engine.info', a: junk(3) === null ? 'x' : { 0: 1 } }, replyId: i }; },
    () => { const i = id(); return { data: { t: 'q', i, m: 'engine.info', a: [], extra: junk() }, replyId: i }; },
    // Unusable ids: the answer is an event.
    () => ({ data: { t: 'q', i: pick([42, '', 'x'.repeat(65), {}, []]), m: 'dataset.clips', a: [1, 2] }, replyId: undefined }),
    // Unknown methods, including object-prototype names.
    () => { const i = id(); return { data: { t: 'q', i, m: pick(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'eval', str(20), 'dataset', 'dataset.', 'engine.info ']), a: [] }, replyId: i }; },
    // Too many arguments.
    () => { const i = id(); return { data: { t: 'q', i, m: pick(METHOD_NAMES), a: [{}, junk()] }, replyId: i }; },
    // A real method with junk for its argument (never an object of only valid fields).
    () => {
      const i = id();
      const m = pick(METHOD_NAMES);
      // Methods without parameters (their schema takes nothing) refuse anything but nothing.
      const arg = methodSchemas[m].safeParse(undefined).success
        ? pick([0, 'x', {}, [], null, { a: 1 }])
        : pick([undefined, null, 5, 'x', [], { bogus: junk() }, { name: pick(PATHY) }, { path: pick(PATHY) }]);
      return { data: { t: 'q', i, m, a: [arg] }, replyId: i };
    },
    // Path-like names where names go.
    () => { const i = id(); return { data: { t: 'q', i, m: 'project.open', a: [{ name: pick(PATHY), create: true }] }, replyId: i }; },
    () => { const i = id(); return { data: { t: 'q', i, m: 'dataset.relabel', a: [{ path: pick(PATHY), label: 'ok' }] }, replyId: i }; },
    () => { const i = id(); return { data: { t: 'q', i, m: 'dataset.addClip', a: [{ label: pick(PATHY), speaker: 'a', samples: new Float32Array(10) }] }, replyId: i }; },
    // Bad audio: NaN, Infinity, empty, wrong type, too long (sometimes; each is 1.9 MB).
    () => {
      const i = id();
      const samples = new Float32Array(1 + rng.int(100));
      samples[rng.int(samples.length)] = pick([NaN, Infinity, -Infinity]);
      const bad = pick<unknown>([samples, new Float32Array(0), new Float64Array(4), Array.from({ length: 4 }, () => 0.1), 'AAAA']);
      return { data: { t: 'q', i, m: pick(['dataset.addClip', 'live.pushAudio']), a: [{ label: 'yes', speaker: 'a', samples: bad }] }, replyId: i };
    },
    () => {
      const i = id();
      const big = rng.int(40) === 0 ? new Float32Array(MAX_CLIP_SAMPLES + 1) : new Float32Array([NaN]);
      return { data: { t: 'q', i, m: 'live.pushAudio', a: [{ samples: big }] }, replyId: i };
    },
    // Fire-and-forget (no id) with bad arguments: answered by event.
    () => ({ data: { t: 'q', m: pick(['live.pushFrames', 'live.pushAudio', 'dataset.addClip']), a: [{ frames: 'x', count: -1 }] }, replyId: undefined }),
  ];
  return Array.from({ length: count }, () => pick(makers)());
}
