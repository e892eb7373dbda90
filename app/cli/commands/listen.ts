// hark listen <model-file> <audio.wav>: the file streamed through the keyword detector
// (core/kws/detector.ts) as a microphone would deliver it (../detect-file.ts: a block at a
// time, so a recording of any length is heard in the same small memory), one line per
// detection as it happens. The audio goes in unchanged, as the app's microphone path would
// give it (the recipe's background class includes digital silence, so stretches of exact
// zeros in edited or synthesised files are heard as background).

import { KeywordDetector, type Detection } from '../../../core/kws/detector.js';
import { DETECTOR_OPTIONS } from '../../../core/kws/options.js';
import { declaredFlags, declaredHelp, declaredOption, type Command } from '../command.js';
import { EXIT_OK, UsageError } from '../errors.js';
import { out } from '../io.js';
import { openEngine, parseEngine, readModelFile } from '../model-io.js';
import { SAMPLE_RATE } from '../../node/dataset/store.js';
import { detectFile } from '../detect-file.js';

export function detectionLine(d: Detection): string {
  return `${d.startTime.toFixed(2).padStart(7)}–${d.endTime.toFixed(2)} s  ${d.label}  (score ${d.score.toFixed(2)}, decided at ${d.time.toFixed(2)} s)`;
}

/** --threshold, for listen and mine: by default each word's calibrated threshold. */
export const thresholdHelp = declaredHelp(DETECTOR_OPTIONS.threshold, 'P', {
  defaultText: `default: each word's threshold calibrated after training, or ${DETECTOR_OPTIONS.threshold.default}`,
});

export const listen: Command = {
  name: 'listen',
  summary: 'stream a WAV file through the detector and print each keyword it hears',
  usage: 'hark listen <model-file> <audio.wav> [--threshold P] [--engine ts|onnx] [--json]',
  help: [
    thresholdHelp,
    declaredHelp(DETECTOR_OPTIONS.refractoryMs, 'MS'),
    declaredHelp(DETECTOR_OPTIONS.smoothingMs, 'MS'),
    declaredHelp(DETECTOR_OPTIONS.hopMs, 'MS'),
    declaredHelp(DETECTOR_OPTIONS.maxTrailingSilenceMs, 'MS'),
    '  --engine E       ts (default) or onnx',
    '  --json           one JSON object per line: {label, score, startTime, endTime, time} (seconds)',
  ].join('\n'),
  options: {
    ...declaredFlags(...Object.values(DETECTOR_OPTIONS)), engine: { type: 'string' }, json: { type: 'boolean' },
  },
  positionals: ['model-file', 'audio.wav'],
  async run(ctx) {
    const { io, values } = ctx;
    const choice = parseEngine(values.engine as string | undefined, this.usage);
    const threshold = declaredOption(this, values, DETECTOR_OPTIONS.threshold);
    const refractoryMs = declaredOption(this, values, DETECTOR_OPTIONS.refractoryMs, DETECTOR_OPTIONS.refractoryMs.default);
    const smoothingMs = declaredOption(this, values, DETECTOR_OPTIONS.smoothingMs, DETECTOR_OPTIONS.smoothingMs.default);
    const hop = DETECTOR_OPTIONS.hopMs;
    const hopMs = declaredOption(this, values, hop, hop.default);
    // The step is the default features' hop; the detector checks the model's own.
    if (hopMs % hop.step !== 0) throw new UsageError(`--${hop.flag} must be a multiple of ${hop.step} ms`, this.usage);
    const maxTrailingSilenceMs = declaredOption(this, values, DETECTOR_OPTIONS.maxTrailingSilenceMs, DETECTOR_OPTIONS.maxTrailingSilenceMs.default);
    const json = values.json === true;
    const m = await readModelFile(ctx.path(ctx.positionals[0]));
    const audioPath = ctx.path(ctx.positionals[1]);
    let count = 0;
    const engine = await openEngine(choice, m);
    let samples: number;
    try {
      // The model's calibrated thresholds unless --threshold gives one for every word.
      const thresholds = threshold === undefined ? m.calibration?.thresholds : undefined;
      const detector = new KeywordDetector(engine, m, { threshold: threshold ?? DETECTOR_OPTIONS.threshold.default, thresholds, refractoryMs, smoothingMs, hopMs, maxTrailingSilenceMs });
      samples = await detectFile(audioPath, detector, {
        signal: io.signal,
        onDetection: (d) => {
          count++;
          out(io, json ? JSON.stringify({ label: d.label, score: d.score, startTime: d.startTime, endTime: d.endTime, time: d.time }) : detectionLine(d));
        },
      });
    } finally {
      await engine.dispose();
    }
    if (!json) io.stderr.write(`${count} detection${count === 1 ? '' : 's'} in ${(samples / SAMPLE_RATE).toFixed(2)} s of audio\n`);
    return EXIT_OK;
  },
};
