// How many takes of a word a training run needs before it can hold some out: the split by
// take (app/node/dataset/split.ts) follows these, and the Record screen's guide tells the
// user about them (renderer/src/components/record/guidance.ts). Pure, for both sides.

/** A word needs this many takes before one is held out for testing, and this many for validation too. */
export const MIN_TAKES_TO_TEST = 3;
export const MIN_TAKES_TO_VALIDATE = 5;
