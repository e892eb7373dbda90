// hark listen <model-file> <audio.wav>: the file streamed through the keyword detector
// (core/kws/detector.ts) as a microphone would deliver it (../detect-file.ts: a block at a
// time, so a recording of any length is heard in the same small memory), one line per
// detection as it happens. The audio goes in unchanged, as the app's microphone path would
// give it (the recipe's background class includes digital silence, so stretches of exact
// zeros in edited or synthesised files are heard as background).

import { DEFAULT_MAX_TRAILING_SILENCE_MS, DEFAULT_REFRACTORY_MS, DEFAULT_THRESHOLD } from '../../../core/kws/decision.js';
import { DEFAULT_HOP_MS, DEFAULT_SMOOTHING_MS, KeywordDetector, type Detection } from '../../../core/kws/detector.js';
import { intOption, numberOption, type Command } from '../command.js';
import { EXIT_OK, UsageError } from '../errors.js';
import { out } from '../io.js';
import { openEngine, parseEngine, readModelFile } from '../model-io.js';
import { SAMPLE_RATE } from '../../engine/dataset/store.js';
import { detectFile } from '../detect-file.js';

export function detectionLine(d: Detection): string {
  return `${d.startTime.toFixed(2).padStart(7)}–${d.endTime.toFixed(2)} s  ${d.label}  (score ${d.score.toFixed(2)}, decided at ${d.time.toFixed(2)} s)`;
}

export const listen: Command = {
  name: 'listen',
  summary: 'stream a WAV file through the detector and print each keyword it hears',
  usage: 'hark listen <model-file> <audio.wav> [--threshold P] [--engine ts|onnx] [--json]',
  help: [
    `  --threshold P    a word fires when its smoothed probability reaches P (0.5–1; default: each word's threshold calibrated after training, or ${DEFAULT_THRESHOLD})`,
    `  --refractory MS  no other detection for this long after one (default ${DEFAULT_REFRACTORY_MS})`,
    `  --smoothing MS   posteriors averaged over this span (default ${DEFAULT_SMOOTHING_MS})`,
    `  --hop MS         time between decisions, a multiple of 10 up to 100 (default ${DEFAULT_HOP_MS})`,
    `  --word-end MS    a word fires only if speech was heard this recently (default ${DEFAULT_MAX_TRAILING_SILENCE_MS}; 1000 turns it off)`,
    '  --engine E       ts (default) or onnx',
    '  --json           one JSON object per line: {label, score, startTime, endTime, time} (seconds)',
  ].join('\n'),
  options: {
    threshold: { type: 'string' }, refractory: { type: 'string' }, smoothing: { type: 'string' }, hop: { type: 'string' },
    'word-end': { type: 'string' }, engine: { type: 'string' }, json: { type: 'boolean' },
  },
  positionals: ['model-file', 'audio.wav'],
  async run(ctx) {
    const { io, values } = ctx;
    const choice = parseEngine(values.engine as string | undefined, this.usage);
    const threshold = numberOption(this, values, 'threshold', 0.5, 1);
    const refractoryMs = intOption(this, values, 'refractory', 0, 60000, DEFAULT_REFRACTORY_MS);
    const smoothingMs = intOption(this, values, 'smoothing', 0, 2000, DEFAULT_SMOOTHING_MS);
    const hopMs = intOption(this, values, 'hop', 10, 100, DEFAULT_HOP_MS);
    if (hopMs % 10 !== 0) throw new UsageError('--hop must be a multiple of 10 ms', this.usage);
    const maxTrailingSilenceMs = intOption(this, values, 'word-end', 0, 1000, DEFAULT_MAX_TRAILING_SILENCE_MS);
    const json = values.json === true;
    const m = await readModelFile(ctx.path(ctx.positionals[0]));
    const audioPath = ctx.path(ctx.positionals[1]);
    let count = 0;
    const engine = await openEngine(choice, m);
    let samples: number;
    try {
      // The model's calibrated thresholds unless --threshold gives one for every word.
      const thresholds = threshold === undefined ? m.calibration?.thresholds : undefined;
      const detector = new KeywordDetector(engine, m, { threshold: threshold ?? DEFAULT_THRESHOLD, thresholds, refractoryMs, smoothingMs, hopMs, maxTrailingSilenceMs });
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
