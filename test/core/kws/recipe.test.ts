import { describe, expect, it } from 'vitest';
import { HarkError, TrainingAbortedError } from '../../../core/errors.js';
import { TypeScriptEngine } from '../../../core/inference/engine.js';
import { KeywordDetector } from '../../../core/kws/detector.js';
import { evaluateClips } from '../../../core/kws/evaluate.js';
import { buildExamples, type ExamplePlan, type KwsClip } from '../../../core/kws/examples.js';
import { calibrationAudio, datasetWarnings, holdOutValidation, noOtherSpeechWarning, splitOtherSpeech, resolveRecipe, trainKeywordModel, type KwsModel, type KwsRecipe, type KwsTrainEvent, type KwsTrainInput, type OtherSpeech } from '../../../core/kws/recipe.js';
import { Random } from '../../../core/tensor/random.js';
import { toneSet } from './tones.js';

async function runRecipe(input: KwsTrainInput, recipe: Partial<KwsRecipe>, signal?: { aborted: boolean }): Promise<{ model: KwsModel; events: KwsTrainEvent[] }> {
  const gen = trainKeywordModel(input, recipe, { signal });
  const events: KwsTrainEvent[] = [];
  let r = await gen.next();
  while (!r.done) { events.push(r.value); r = await gen.next(); }
  return { model: r.value, events };
}

const codeOf = async (f: () => Promise<unknown>): Promise<string | undefined> => {
  try { await f(); } catch (err) { return err instanceof HarkError ? err.code : `untyped: ${String(err)}`; }
  return undefined;
};

describe('the recipe settings', () => {
  it('fill in defaults and refuse values that cannot work', () => {
    expect(resolveRecipe().cell).toBe('lstm');
    expect(resolveRecipe({ cell: 'gru', hiddenSize: 32 }).hiddenSize).toBe(32);
    for (const bad of [{ epochs: 0 }, { hiddenSize: 1.5 }, { layers: 4 }, { batchSize: 0 }, { augmentedCopies: -1 }, { learningRate: 0 },
      { validationFraction: 1 }, { seed: -1 }, { patience: 0 }] as Partial<KwsRecipe>[]) {
      let code: string | undefined;
      try { resolveRecipe(bad); } catch (err) { code = (err as HarkError).code; }
      expect(code, JSON.stringify(bad)).toBe('bad-recipe');
    }
  });

  it('always train on raw features', () => {
    const r = resolveRecipe({ features: { ...resolveRecipe().features, normalization: { mean: new Array(28).fill(1), std: new Array(28).fill(2) } } });
    expect(r.features.normalization).toBeNull();
  });
});

describe('holding out validation clips', () => {
  it('takes the fraction from each word (none from a word with under four clips), disjointly', () => {
    const clips: KwsClip[] = [
      ...Array.from({ length: 20 }, (_, i) => ({ label: 'a', speaker: `s${i}`, samples: new Float32Array(1) })),
      ...Array.from({ length: 3 }, (_, i) => ({ label: 'b', speaker: `s${i}`, samples: new Float32Array(1) })),
    ];
    const { train, validation } = holdOutValidation(clips, 0.15, new Random(1));
    expect(validation.filter((c) => c.label === 'a')).toHaveLength(3);
    expect(validation.filter((c) => c.label === 'b')).toHaveLength(0);
    expect(train.length + validation.length).toBe(23);
    expect(new Set([...train, ...validation]).size).toBe(23);
  });
});

describe('data warnings', () => {
  it('name words with too few clips, one speaker, or clipped audio', () => {
    const loud = new Float32Array(1000).fill(1);
    const clips: KwsClip[] = [
      ...Array.from({ length: 12 }, (_, i) => ({ label: 'fine', speaker: `s${i % 3}`, samples: new Float32Array(100) })),
      ...Array.from({ length: 4 }, () => ({ label: 'few', speaker: 'solo', samples: new Float32Array(100) })),
      { label: 'fine', speaker: 's1', samples: loud },
    ];
    const w = datasetWarnings(clips, ['fine', 'few'], 10);
    // (and that these clips are silence: data-warnings.ts)
    expect(w.filter((m) => / silence/.test(m))).toHaveLength(2);
    expect(w).toHaveLength(5);
    expect(w.find((m) => m.includes('"few" has only 4 clips'))).toBeDefined();
    expect(w.find((m) => m.includes('"few" is from one speaker'))).toBeDefined();
    expect(w.find((m) => m.includes('1 clip of "fine" is clipped'))).toBeDefined();
  });
});

describe('trainKeywordModel', () => {
  const words = ['low', 'high', 'rise'];
  const train = toneSet([...words, 'fall'], 16, 1);
  const test = toneSet([...words, 'fall'], 10, 99, ['c']);
  const quick: Partial<KwsRecipe> = { hiddenSize: 32, epochs: 20, augmentedCopies: 3, patience: 20, batchSize: 16, seed: 3 };

  it('learns the words, unknown speech and background, keeping the best weights, from synthetic words', async () => {
    const { model, events } = await runRecipe({ train, validation: [], background: [], words }, quick);
    expect(model.labels).toEqual(['low', 'high', 'rise', '_unknown_', '_background_']);
    expect(model.features.normalization).toBeNull();
    expect(model.model.getNormalization()).not.toBeNull();
    expect(events.filter((e) => e.type === 'prepare').at(-1)).toMatchObject({ type: 'prepare' });
    const epochs = events.filter((e) => e.type === 'epoch');
    expect(epochs.length).toBe(model.history.length);
    const engine = new TypeScriptEngine(model.model);
    const report = await evaluateClips(engine, test, model);
    expect(report.accuracy).toBeGreaterThanOrEqual(0.95); // 'fall' counts as _unknown_
    // digital silence (a muted microphone) is background, not a word
    const detector = new KeywordDetector(engine, model, { threshold: 0.5 });
    expect(await detector.pushAudio(new Float32Array(16000 * 3))).toEqual([]);
    // the best epoch's weights are kept: the validation loss of the returned model is the minimum
    const best = Math.min(...model.history.map((h) => h.valLoss as number));
    expect(model.history.some((h) => h.valLoss === best)).toBe(true);
  });

  it('warns about thin data in its event stream', async () => {
    const thin = toneSet(['low', 'high'], 5, 2, ['only']);
    const { events, model } = await runRecipe({ train: thin, validation: [], background: [] }, { ...quick, epochs: 1, augmentedCopies: 0 });
    const warnings = events.filter((e) => e.type === 'warning').map((e) => (e as { message: string }).message);
    expect(warnings.some((m) => m.includes('"low" has only 5 clips'))).toBe(true);
    expect(warnings.some((m) => m.includes('one speaker'))).toBe(true);
    expect(model.warnings).toEqual(warnings);
    expect(model.labels).toEqual(['high', 'low', '_background_']);
  });

  it('refuses reserved or clip-less words with typed errors', async () => {
    expect(await codeOf(() => runRecipe({ train, validation: [], background: [], words: ['_unknown_'] }, quick))).toBe('bad-word');
    expect(await codeOf(() => runRecipe({ train, validation: [], background: [], words: ['low', 'silent'] }, quick))).toBe('no-clips');
    expect(await codeOf(() => runRecipe({ train: [], validation: [], background: [] }, quick))).toBe('no-words');
  });

  it('stops with TrainingAbortedError when cancelled while preparing', async () => {
    const signal = { aborted: false };
    const gen = trainKeywordModel({ train, validation: [], background: [] }, { ...quick, augmentedCopies: 6 }, { signal });
    const first = await gen.next();
    expect(first.done).toBe(false);
    signal.aborted = true;
    await expect((async () => { let r = await gen.next(); while (!r.done) r = await gen.next(); })()).rejects.toBeInstanceOf(TrainingAbortedError);
  });

  it('trains the same model twice from the same seed', async () => {
    const small = toneSet(['low', 'high'], 8, 5);
    const a = await runRecipe({ train: small, validation: [], background: [] }, { ...quick, epochs: 2, augmentedCopies: 1 });
    const b = await runRecipe({ train: small, validation: [], background: [] }, { ...quick, epochs: 2, augmentedCopies: 1 });
    expect(a.model.model.params).toEqual(b.model.model.params);
  });
});

describe('resuming a cancelled keyword training run', () => {
  it('ends with exactly the weights of the run that was never interrupted', async () => {
    const clips = toneSet(['low', 'high'], 8, 6);
    const recipe: Partial<KwsRecipe> = { hiddenSize: 8, epochs: 3, augmentedCopies: 1, patience: 10, seed: 4 };
    const whole = await runRecipe({ train: clips, validation: [], background: [] }, recipe);

    // cancel in the middle of the second epoch, keeping what onTrainer handed out
    const signal = { aborted: false };
    let kept: { trainer: import('../../../core/train/trainer.js').Trainer; model: import('../../../core/nn/classifier.js').SequenceClassifier } | undefined;
    const gen = trainKeywordModel({ train: clips, validation: [], background: [] }, recipe, { signal, onTrainer: (trainer, model) => { kept = { trainer, model }; } });
    let epochs = 0, steps = 0;
    await expect((async () => {
      for (let r = await gen.next(); !r.done; r = await gen.next()) {
        if (r.value.type === 'epoch') epochs++;
        if (r.value.type === 'step' && epochs === 1 && ++steps === 2) signal.aborted = true;
      }
    })()).rejects.toBeInstanceOf(TrainingAbortedError);
    expect(kept).toBeDefined();
    const state = (kept as NonNullable<typeof kept>).trainer.state();
    expect(state.progress).not.toBeNull(); // stopped mid-epoch

    const gen2 = trainKeywordModel({ train: clips, validation: [], background: [] }, recipe, { resume: { model: (kept as NonNullable<typeof kept>).model, trainer: state } });
    let r = await gen2.next();
    while (!r.done) r = await gen2.next();
    expect(r.value.model.params).toEqual(whole.model.model.params);
    expect(r.value.history.map((h) => h.trainLoss)).toEqual(whole.model.history.map((h) => h.trainLoss));
  });

  it('refuses a model of another shape', async () => {
    const clips = toneSet(['low', 'high'], 6, 6);
    const other = await runRecipe({ train: clips, validation: [], background: [] }, { hiddenSize: 8, epochs: 1, augmentedCopies: 0 });
    const state = { epoch: 0 } as unknown as import('../../../core/train/trainer.js').TrainerState;
    const drain = async (): Promise<void> => {
      const gen = trainKeywordModel({ train: clips, validation: [], background: [] }, { hiddenSize: 12, epochs: 1, augmentedCopies: 0 }, { resume: { model: other.model.model, trainer: state } });
      for (let r = await gen.next(); !r.done; r = await gen.next());
    };
    expect(await codeOf(drain)).toBe('bad-resume');
  });
});

describe('other speech mixed into every run', () => {
  const words = ['low', 'high'];
  const mine = toneSet(words, 6, 11, ['me']);
  // The bundled set stands in as: isolated "words" (tones of two other shapes, one of them
  // said "LOW " — a user's word, which must never be taught as other speech) and continuous speech.
  const rng = new Random(5);
  const other: OtherSpeech = {
    words: [...toneSet(['rise', 'fall'], 10, 12, ['v1', 'v2']).map((c, i) => ({ ...c, label: i % 2 ? `rise${i}` : `fall${i}` })),
      ...toneSet(['low'], 3, 13, ['v3']).map((c) => ({ ...c, label: 'LOW ' }))],
    speech: [{ label: '', speaker: 'reader', samples: Float32Array.from({ length: 3 * 16000 }, () => 0.05 * rng.normal()) }],
  };
  const recipe: Partial<KwsRecipe> = { hiddenSize: 8, epochs: 1, augmentedCopies: 1, seed: 2, otherWordsRatio: 2, speechRatio: 0.5 };

  it('learns it as unknown speech: some of its words and windows of its speech, calibrated on the rest', async () => {
    const { model, events } = await runRecipe({ train: mine, validation: [], background: [], otherSpeech: other }, recipe);
    expect(model.labels).toEqual(['high', 'low', '_unknown_', '_background_']);
    const warnings = events.filter((e) => e.type === 'warning').map((e) => (e as { message: string }).message);
    expect(warnings).toContain(noOtherSpeechWarning(true));
    expect(noOtherSpeechWarning(true)).toMatch(/mixes in its own bundled set/);
    const start = events.find((e) => e.type === 'start') as { examples: number };
    // 6 takes a word, 1 held out for validation: 5 · 2 words = 10 clips; 2 · 5 = 10 other words (of the
    // three quarters of the set that training uses, splitOtherSpeech); each with 1 copy,
    // and a fragment per word clip; speech windows 0.5 · 10 · 2 = 10; background max(16, 1 · 5 · 2).
    expect(start.examples).toBe(10 * 2 + 10 + 10 * 2 + 10 + 16);
    // Every fourth item was kept out of training, and each word's threshold calibrated on it.
    expect(model.calibration?.words.map((w) => w.label)).toEqual(['high', 'low']);
    expect(model.calibration?.seconds).toBeGreaterThan(0);
  });

  it('leaves a user\'s word out of it, whatever its case or spaces', async () => {
    const onlyLow: OtherSpeech = { words: other.words.filter((c) => c.label === 'LOW '), speech: [] };
    const { model } = await runRecipe({ train: mine, validation: [], background: [], otherSpeech: onlyLow }, recipe);
    // Nothing left of it: no unknown class, and the warning says none is mixed in.
    expect(model.labels).toEqual(['high', 'low', '_background_']);
    expect(model.warnings.at(-1)).toBe(noOtherSpeechWarning(false));
    expect(noOtherSpeechWarning(false)).toMatch(/none is mixed in/);
  });

  it('draws nothing when there is none, so a run without it is the run it always was', async () => {
    const a = await runRecipe({ train: mine, validation: [], background: [] }, recipe);
    const b = await runRecipe({ train: mine, validation: [], background: [], otherSpeech: { words: [], speech: [] } }, recipe);
    expect(b.model.model.params).toEqual(a.model.model.params);
  });

  it('cuts speech windows out of the recordings as unknown speech', async () => {
    const plan: ExamplePlan = {
      clips: [], classOf: [], augmentedCopies: 0, speechExamples: 5, speechClass: 1, speechRecordings: other.speech.map((c) => c.samples),
      backgroundExamples: 0, backgroundClass: 0, backgroundRecordings: [], features: resolveRecipe().features,
    };
    const gen = buildExamples(plan, new Random(1));
    let r = await gen.next();
    while (!r.done) r = await gen.next();
    expect([...r.value.labels]).toEqual([1, 1, 1, 1, 1]);
    expect(r.value.sources.map((x) => x.kind)).toEqual(['speech', 'speech', 'speech', 'speech', 'speech']);
  });
});

describe('the calibration part of the bundled set', () => {
  const clip = (label: string, n: number, speaker = 'v'): KwsClip => ({ label, speaker, samples: new Float32Array(n).fill(0.1) });

  it('keeps a quarter out of training, by what is said: every voice of a word on the same side, whatever the seed', () => {
    const texts = Array.from({ length: 40 }, (_, i) => `word${i}`);
    const words = texts.flatMap((t) => [clip(t, 800, 'a'), clip(t.toUpperCase(), 800, 'b')]); // two voices, one word
    const prose = [1, 2, 3, 4, 5, 6, 7, 8].map((k) => clip('', 1600 * k)); // what is said is not known: by position
    const { training, calibration } = splitOtherSpeech({ words, speech: prose });
    const held = new Set(calibration.words.map((w) => w.label.toLowerCase()));
    expect(training.words.some((w) => held.has(w.label.toLowerCase()))).toBe(false);
    expect(calibration.words.length % 2).toBe(0);
    expect(held.size).toBeGreaterThanOrEqual(5);
    expect(held.size).toBeLessThanOrEqual(15);
    expect(calibration.speech.map((c) => c.samples.length)).toEqual([6400, 12800]);
    expect(training.words.length + calibration.words.length).toBe(80);
  });

  it('plays only speech known not to say a user\'s word, at two levels', () => {
    const part = {
      words: [clip('hallo', 800), clip('Olá', 900), clip('sí', 1000)],
      speech: [clip('', 1600), clip('I said hola, ola!', 3200)],
    };
    // "Olá" and the sentence say the user's "ola" (accents and case aside); the prose is not known: left out.
    const audio = calibrationAudio(part, ['ola']);
    expect(audio.length).toBe(2 * (800 + 4000 + 1000 + 4000));
    expect(calibrationAudio({ words: [], speech: [] }, [])).toHaveLength(0);
  });
});
