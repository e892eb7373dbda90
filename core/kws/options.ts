// Every setting a person may change, for the detector and for the training recipe, declared
// once: its default, range, step, unit and one line of help. Core's checks (decision.ts,
// detector.ts, recipe.ts), the engine's zod schemas (app/shared/protocol.ts), the Listen and
// Train screens' controls and the CLI's flags and help are all made from these tables, so a
// limit cannot differ between them (test/core/kws/options.test.ts walks every edge).

import { ConfigError } from '../errors.js';
import type { CellKind } from '../nn/layer.js';

export interface NumericOption {
  /** The option's name in DetectorOptions or KwsRecipe. */
  key: string;
  /** What the screens call it ("Threshold"). */
  label: string;
  /** The CLI flag, without the dashes. */
  flag: string;
  default: number;
  min: number;
  max: number;
  /** The controls' step (a slider's grid); core checks the range, not the step. */
  step: number;
  /** Whole numbers only (core, the schemas and the CLI all refuse fractions). */
  integer: boolean;
  /** '' for a plain number. */
  unit: string;
  /** One line of help, shown by `hark <command> --help` and, as a sentence, by the screens (helpSentence). */
  help: string;
  /** At and above this value the check the option sets is off (the word-end check). */
  offFrom?: number;
}

/** The word-end check is off from this many ms: the network's window is 1 s, so longer says nothing. */
const WORD_END_OFF_MS = 1000;

// maxTrailingSilenceMs' default, 500 ms: on real people (npm run report:real, the personal
// scenario's operating table in docs/real-speech.md) a command's score peaks 0.3–0.5 s after
// the energy of its soft last sound ends, and at every threshold the 500 ms curve gives more
// recall for the same false activations than 300 ms (after mining: 85.9 % at 124 an hour on
// dense words against 74.3 % at 78, and 85.3 % at 87 with a 0.95 threshold). 300 ms was
// chosen on synthetic voices, whose words end crisply; longer lets word tails through.
//
// threshold's default, 0.95, also the floor calibration raises words from (calibrate.ts): on
// real people (docs/real-speech.md, seed 1, the same code with 0.9 and 0.95) it fired 27–43 %
// less before mining for 0.5–1.3 points of recall, and after mining it found more commands
// and fired less on both streams (80.3 % at 65 an hour on dense words against 79.8 % at 79).
//
// threshold from 0.5: a word at or above half the probability is the most probable class
// (the rule's first condition) whatever the others, the threshold sweeps start there, and a
// model file's calibrated thresholds may not be lower (calibrate.ts).

function frozen<T extends Record<string, NumericOption>>(table: T): T {
  for (const option of Object.values(table)) Object.freeze(option);
  return Object.freeze(table);
}

/** The detector's settings (DecisionOptions and DetectorOptions). */
export const DETECTOR_OPTIONS = frozen({
  threshold: {
    key: 'threshold', label: 'Threshold', flag: 'threshold', default: 0.95, min: 0.5, max: 1, step: 0.01, integer: false, unit: '',
    help: 'how sure the model must be before it says it heard a word: higher, fewer false alarms but more missed words',
  },
  smoothingMs: {
    key: 'smoothingMs', label: 'Smoothing', flag: 'smoothing', default: 100, min: 0, max: 2000, step: 50, integer: true, unit: 'ms',
    help: 'averages the probabilities over this much time, so a single noisy moment does not trigger a word',
  },
  refractoryMs: {
    key: 'refractoryMs', label: 'Refractory time', flag: 'refractory', default: 1000, min: 0, max: 10_000, step: 50, integer: true, unit: 'ms',
    help: 'after a detection, how long to wait before any word can be detected again, so one utterance counts once',
  },
  maxTrailingSilenceMs: {
    key: 'maxTrailingSilenceMs', label: 'Word end', flag: 'word-end', default: 500, min: 0, max: WORD_END_OFF_MS, step: 50, integer: true, unit: 'ms',
    offFrom: WORD_END_OFF_MS,
    help: `a word counts only if it ended at most this long ago, so the end of a longer word (the "o" of "go") cannot pass for a command; at ${WORD_END_OFF_MS} ms the check is off`,
  },
  hopMs: {
    key: 'hopMs', label: 'Decision interval', flag: 'hop', default: 50, min: 10, max: 100, step: 10, integer: true, unit: 'ms',
    help: 'time between decisions, a multiple of the features\' hop',
  },
} as const satisfies Record<string, NumericOption>);

/** The recipe's cell unless one is chosen: one of CELL_KINDS. */
export const DEFAULT_CELL: CellKind = 'lstm';

/** The recipe's numeric settings a person may change (RecipeOptions, `hark train`). */
export const RECIPE_OPTIONS = frozen({
  hiddenSize: {
    key: 'hiddenSize', label: 'Size', flag: 'hidden', default: 64, min: 1, max: 1024, step: 1, integer: true, unit: 'units',
    help: 'units per recurrent layer; a larger network must still be fast enough to listen live',
  },
  layers: {
    key: 'layers', label: 'Layers', flag: 'layers', default: 1, min: 1, max: 3, step: 1, integer: true, unit: '',
    help: 'recurrent layers, stacked',
  },
  epochs: {
    key: 'epochs', label: 'Epochs', flag: 'epochs', default: 40, min: 1, max: 10_000, step: 1, integer: true, unit: '',
    help: 'at most this many passes over the examples; training stops early when validation stalls',
  },
  seed: {
    key: 'seed', label: 'Seed', flag: 'seed', default: 0, min: 0, max: 2 ** 32 - 1, step: 1, integer: true, unit: '',
    help: 'random seed: the same seed and data give the same model',
  },
} as const satisfies Record<string, NumericOption>);

export type DetectorOptionKey = keyof typeof DETECTOR_OPTIONS;
export type RecipeOptionKey = keyof typeof RECIPE_OPTIONS;

/** Whether v is a value the option accepts. */
export function accepts(option: NumericOption, v: unknown): v is number {
  return typeof v === 'number' && v >= option.min && v <= option.max && (!option.integer || Number.isInteger(v));
}

/** "0.5–1", "0–1000 ms". */
export function rangeText(option: NumericOption): string {
  return `${option.min}–${option.max}${option.unit ? ` ${option.unit}` : ''}`;
}

/** A value as the screens show it: "0.90", "300 ms", "off". */
export function valueText(option: NumericOption, v: number): string {
  if (option.offFrom !== undefined && v >= option.offFrom) return 'off';
  const decimals = option.integer ? 0 : Math.max(0, -Math.floor(Math.log10(option.step) + 1e-9));
  return `${v.toFixed(decimals)}${option.unit ? ` ${option.unit}` : ''}`;
}

/** The help as the screens show it: a sentence. */
export function helpSentence(option: NumericOption): string {
  return `${option.help.charAt(0).toUpperCase()}${option.help.slice(1)}.`;
}

/**
 * v if the option accepts it, else ConfigError(code) naming the option (as `name`, for one
 * entry of a map such as thresholds["yes"]) and its range.
 */
export function checkOption(option: NumericOption, v: unknown, code: string, name: string = option.key): number {
  if (!accepts(option, v)) {
    const range = `[${option.min}, ${option.max}]${option.unit ? ` ${option.unit}` : ''}`;
    throw new ConfigError(code, `${name} must be ${option.integer ? 'an integer' : 'a number'} in ${range}, got ${String(v)}`);
  }
  return v;
}
