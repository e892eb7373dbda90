// Every setting core declares (core/kws/options.ts), walked over every edge that takes it:
// the engine's zod schemas, core's own checks, the CLI's flags and help, and the Listen
// and Train screens' controls. Each edge must accept the least, the most and the default
// value and refuse just outside, so a range cannot differ between them again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DetectorOptions, RecipeOptions } from '../../../app/shared/protocol.js';
import { DEFAULT_CELL, DETECTOR_OPTIONS, RECIPE_OPTIONS, rangeText, valueText, type NumericOption } from '../../../core/kws/options.js';
import { KeywordDetector } from '../../../core/kws/detector.js';
import { DEFAULT_RECIPE, resolveRecipe, type KwsRecipe } from '../../../core/kws/recipe.js';
import { DEFAULT_FEATURE_CONFIG, featureCount } from '../../../core/features/config.js';
import { SequenceClassifier } from '../../../core/nn/classifier.js';
import { CELL_KINDS } from '../../../core/nn/layer.js';
import { TypeScriptEngine } from '../../../core/inference/engine.js';
import { HarkError } from '../../../core/errors.js';
import { COMMANDS } from '../../../app/cli/index.js';
import { hark, removeAll, tempDir } from '../../app/cli/helpers.js';
import { DEFAULT_DETECTOR_SETTINGS, DETECTOR_SLIDERS, parseDetectorSettings } from '../../../renderer/src/state/detector-settings.js';
import { RECIPE_CONTROLS } from '../../../renderer/src/components/train/recipe-controls.js';
import { CELLS } from '../../../renderer/src/components/train/cells.js';

const detectorOptions: NumericOption[] = Object.values(DETECTOR_OPTIONS);
const recipeOptions: NumericOption[] = Object.values(RECIPE_OPTIONS);
const allOptions = [...detectorOptions, ...recipeOptions];

/** Values the option accepts: its least, most and default. */
const inside = (o: NumericOption): number[] => [o.min, o.max, o.default];
/** Values just outside: below the least, above the most, and a fraction for whole-number options. */
const outside = (o: NumericOption): number[] => {
  const by = o.integer ? 1 : o.step / 10;
  return [o.min - by, o.max + by, ...(o.integer ? [o.min + 0.5] : []), Number.NaN];
};

const LABELS = ['_background_', '_unknown_', 'yes', 'no'];
const engine = new TypeScriptEngine(new SequenceClassifier(
  { cell: 'lstm', inputSize: featureCount(DEFAULT_FEATURE_CONFIG), hiddenSize: 4, layers: 1, classes: LABELS.length, dropout: 0, pooling: 'last' }, { seed: 1 }));

/** The error code core gives for these detector options, or 'ok'. */
function detectorVerdict(options: Record<string, number>): string {
  try {
    new KeywordDetector(engine, { labels: LABELS, features: DEFAULT_FEATURE_CONFIG }, options);
    return 'ok';
  } catch (err) {
    return err instanceof HarkError ? err.code : `untyped: ${String(err)}`;
  }
}

function recipeVerdict(overrides: Partial<KwsRecipe>): string {
  try {
    resolveRecipe(overrides);
    return 'ok';
  } catch (err) {
    return err instanceof HarkError ? err.code : `untyped: ${String(err)}`;
  }
}

describe('the declared options', () => {
  it('are consistent in themselves: the default in range, on the grid, and whole where whole', () => {
    for (const o of allOptions) {
      expect(o.min, o.key).toBeLessThan(o.max);
      expect(o.default, o.key).toBeGreaterThanOrEqual(o.min);
      expect(o.default, o.key).toBeLessThanOrEqual(o.max);
      const steps = (o.default - o.min) / o.step;
      expect(Math.abs(steps - Math.round(steps)), o.key).toBeLessThan(1e-9);
      if (o.integer) expect([o.min, o.max, o.default, o.step].every(Number.isInteger), o.key).toBe(true);
      expect(o.help, o.key).toMatch(/^[a-z].*[^.]$/); // the screens make it a sentence, the CLI adds the range
    }
  });

  it('are core\'s defaults', () => {
    for (const o of recipeOptions) expect(DEFAULT_RECIPE[o.key as keyof KwsRecipe], o.key).toBe(o.default);
    expect(DEFAULT_RECIPE.cell).toBe(DEFAULT_CELL);
    expect(CELL_KINDS).toContain(DEFAULT_CELL);
  });
});

describe('the engine\'s schemas', () => {
  it('accept each detector option\'s least, most and default value, and refuse just outside', () => {
    for (const o of detectorOptions) {
      for (const v of inside(o)) expect(DetectorOptions.safeParse({ [o.key]: v }).success, `${o.key} = ${v}`).toBe(true);
      for (const v of outside(o)) expect(DetectorOptions.safeParse({ [o.key]: v }).success, `${o.key} = ${v}`).toBe(false);
    }
    // A word's own threshold has the threshold's range.
    const t = DETECTOR_OPTIONS.threshold;
    for (const v of inside(t)) expect(DetectorOptions.safeParse({ thresholds: { yes: v } }).success, `yes = ${v}`).toBe(true);
    for (const v of outside(t)) expect(DetectorOptions.safeParse({ thresholds: { yes: v } }).success, `yes = ${v}`).toBe(false);
  });

  it('accept each recipe option\'s least, most and default value, and refuse just outside; the cells are core\'s', () => {
    for (const o of recipeOptions) {
      for (const v of inside(o)) expect(RecipeOptions.safeParse({ [o.key]: v }).success, `${o.key} = ${v}`).toBe(true);
      for (const v of outside(o)) expect(RecipeOptions.safeParse({ [o.key]: v }).success, `${o.key} = ${v}`).toBe(false);
    }
    for (const cell of CELL_KINDS) expect(RecipeOptions.safeParse({ cell }).success, cell).toBe(true);
    expect(RecipeOptions.safeParse({ cell: 'rnn' }).success).toBe(false);
  });
});

describe('core\'s checks', () => {
  it('take each detector option\'s least, most and default value, and refuse just outside with bad-detector-option', () => {
    for (const o of detectorOptions) {
      for (const v of inside(o)) expect(detectorVerdict({ [o.key]: v }), `${o.key} = ${v}`).toBe('ok');
      for (const v of outside(o)) expect(detectorVerdict({ [o.key]: v }), `${o.key} = ${v}`).toBe('bad-detector-option');
    }
    const t = DETECTOR_OPTIONS.threshold;
    for (const v of inside(t)) expect(detectorVerdict({ thresholds: { yes: v } } as never), `yes = ${v}`).toBe('ok');
    for (const v of outside(t)) expect(detectorVerdict({ thresholds: { yes: v } } as never), `yes = ${v}`).toBe('bad-detector-option');
  });

  it('take each recipe option\'s least, most and default value, and refuse just outside with bad-recipe', () => {
    for (const o of recipeOptions) {
      for (const v of inside(o)) expect(recipeVerdict({ [o.key]: v } as Partial<KwsRecipe>), `${o.key} = ${v}`).toBe('ok');
      for (const v of outside(o)) expect(recipeVerdict({ [o.key]: v } as Partial<KwsRecipe>), `${o.key} = ${v}`).toBe('bad-recipe');
    }
  });

  it('name the option and its range when they refuse', () => {
    expect(() => resolveRecipe({ hiddenSize: 0 })).toThrow(/^hiddenSize must be an integer in \[1, 1024\] units, got 0$/);
    expect(() => new KeywordDetector(engine, { labels: LABELS, features: DEFAULT_FEATURE_CONFIG }, { threshold: 0.3 }))
      .toThrow(/^threshold must be a number in \[0\.5, 1\], got 0\.3$/);
  });
});

describe('the CLI', () => {
  const dirs: string[] = [];
  let cwd = '';
  beforeAll(async () => { cwd = await tempDir('hark-options-', dirs); });
  afterAll(() => removeAll(dirs));
  // Arguments that get a command past its option parsing to the files it cannot read.
  const base: Record<string, string[]> = {
    train: ['train', 'no-such-folder', '--out', 'no-such-folder/m.hark'],
    listen: ['listen', 'no-such.hark', 'no-such.wav'],
    eval: ['eval', 'no-such.hark', 'no-such-folder'],
    mine: ['mine', 'no-such.hark', 'no-such.wav', '--into', 'no-such-folder'],
  };
  // Which table a command's flags come from (eval's --seed, the stream's, is no recipe's).
  const table = (name: string): NumericOption[] => (name === 'train' ? recipeOptions : detectorOptions);
  const flagged = COMMANDS.filter((c) => c.name in base).flatMap((c) => table(c.name).filter((o) => o.flag in c.options).map((o) => ({ command: c, option: o })));

  it('has every declared option as a flag of some command', () => {
    for (const o of allOptions) expect(flagged.some((f) => f.option === o), o.key).toBe(true);
    expect(flagged.length).toBeGreaterThanOrEqual(allOptions.length + 2); // --threshold and --word-end serve several commands
  });

  it('says each flag\'s help and range in the command\'s help', () => {
    for (const { command, option } of flagged) {
      const help = command.help.replace(/\s+/g, ' ');
      expect(help, `${command.name} --${option.flag}`).toMatch(new RegExp(`--${option.flag} \\S+ ${escape(option.help)} \\(${escape(rangeText(option))}; `));
    }
  });

  it('takes each flag\'s least, most and default value, and refuses just outside with a usage error', async () => {
    const rangeError = (flag: string): RegExp => new RegExp(`^hark: --${flag} must be (an integer|a number) from`, 'm');
    for (const { command, option } of flagged) {
      for (const v of inside(option)) {
        const r = await hark([...base[command.name], `--${option.flag}=${v}`], { cwd });
        expect(r.stderr, `${command.name} --${option.flag}=${v}`).not.toMatch(rangeError(option.flag));
        expect(r.code, `${command.name} --${option.flag}=${v}: ${r.stderr}`).not.toBe(0); // it went on, to the missing files (or a live budget)
      }
      for (const v of outside(option)) {
        const r = await hark([...base[command.name], `--${option.flag}=${v}`], { cwd });
        expect(r.code, `${command.name} --${option.flag}=${v}`).toBe(2);
        expect(r.stderr, `${command.name} --${option.flag}=${v}`).toMatch(new RegExp(`^hark: --${option.flag} must be (an integer|a number) from ${escape(String(option.min))} to ${escape(String(option.max))}, not`));
      }
    }
  });
});

describe('the screens\' controls', () => {
  it('Listen: each slider is a declared detector option, and the kept settings take its range and refuse outside it', () => {
    for (const slider of DETECTOR_SLIDERS) {
      expect(slider, slider.key).toBe(DETECTOR_OPTIONS[slider.key]);
      expect(DEFAULT_DETECTOR_SETTINGS[slider.key], slider.key).toBe(slider.default);
      for (const v of inside(slider)) expect(parseDetectorSettings(JSON.stringify({ [slider.key]: v }))[slider.key], `${slider.key} = ${v}`).toBe(v);
      for (const v of outside(slider)) expect(parseDetectorSettings(JSON.stringify({ [slider.key]: v }))[slider.key], `${slider.key} = ${v}`).toBe(slider.default);
    }
    // The threshold's slider goes as low as a calibrated threshold may be, and the word end shows "off" at its end.
    expect(valueText(DETECTOR_OPTIONS.maxTrailingSilenceMs, DETECTOR_OPTIONS.maxTrailingSilenceMs.max)).toBe('off');
    expect(valueText(DETECTOR_OPTIONS.threshold, 0.9)).toBe('0.90');
  });

  it('Train: each control is a declared recipe option, its choices in range and the default among them; the cells are core\'s', () => {
    for (const control of RECIPE_CONTROLS) {
      expect(control.option, control.option.key).toBe(RECIPE_OPTIONS[control.option.key]);
      if (!control.choices) continue;
      const values = control.choices.map((c) => c.value);
      expect(values, control.option.key).toContain(control.option.default);
      for (const v of values) expect(v >= control.option.min && v <= control.option.max && Number.isInteger(v), `${control.option.key} ${v}`).toBe(true);
    }
    expect(CELLS.map((c) => c.id)).toEqual([...CELL_KINDS]);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
