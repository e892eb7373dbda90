// The Train screen's numeric controls, made from the recipe options core declares
// (core/kws/options.ts): a list of choices where a few sizes say enough, a number field
// over the whole range otherwise. Every value offered is in the option's range.
import { RECIPE_OPTIONS, type NumericOption, type RecipeOptionKey } from '../../../../core/kws/options.js';

export interface RecipeChoice {
  value: number;
  /** What the choice is good for, shown after it. */
  note?: string;
}

export interface RecipeControl {
  option: NumericOption & { key: Exclude<RecipeOptionKey, 'seed'> };
  /** The values to pick from; none: a number field over the whole range. */
  choices?: readonly RecipeChoice[];
}

export const RECIPE_CONTROLS: readonly RecipeControl[] = [
  { option: RECIPE_OPTIONS.hiddenSize, choices: [{ value: 32, note: 'fastest' }, { value: RECIPE_OPTIONS.hiddenSize.default }, { value: 128, note: 'larger vocabularies' }] },
  // Up to two: the largest network offered, 128 units × 2 layers, listens live with every cell (core/features/budget.ts).
  { option: RECIPE_OPTIONS.layers, choices: [{ value: RECIPE_OPTIONS.layers.default }, { value: 2 }] },
  { option: RECIPE_OPTIONS.epochs },
];

/** "Size (units)". */
export const controlLabel = (o: NumericOption): string => (o.unit ? `${o.label} (${o.unit})` : o.label);

/** "64 (default)", "32 (fastest)", "2". */
export function choiceText(o: NumericOption, c: RecipeChoice): string {
  const note = c.value === o.default ? 'default' : c.note;
  return note ? `${c.value} (${note})` : String(c.value);
}
