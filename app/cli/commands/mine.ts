// hark mine <model-file> <audio.wav> --into <dataset-dir>: teach a model what to ignore.
// The file is ordinary room audio with none of the model's words in it (a few minutes of
// the person talking, a TV, a meeting); every detection there is a false activation, and
// the window that fired it (the model's window, ending at the decision: exactly what the
// model heard) is saved into the dataset as other speech, `_unknown_/<speaker>_nohash_<n>.wav`.
// Training again then learns that this is not a word. The detector runs with the settings
// live listening uses, so it finds the mistakes the app would make.

import { DETECTOR_OPTIONS } from '../../../core/kws/options.js';
import { KeywordDetector } from '../../../core/kws/detector.js';
import { DetectionWindows, type MinedWindow } from '../../../core/kws/mining.js';
import { SAMPLE_RATE } from '../../../core/audio/sample-rate.js';
import { declaredFlags, declaredOption, type Command } from '../command.js';
import { EXIT_OK, UsageError } from '../errors.js';
import { out } from '../io.js';
import { openEngine, parseEngine, readModelFile } from '../model-io.js';
import { openDataset, OTHER_SPEECH_LABEL } from '../../node/dataset/store.js';
import { detectFile } from '../detect-file.js';
import { detectionLine, thresholdHelp } from './listen.js';

/** Speaker name of mined clips unless --speaker gives one. */
const MINED_SPEAKER = 'mined';

export const mine: Command = {
  name: 'mine',
  summary: 'listen to room audio without the words and save each false activation as other speech',
  usage: 'hark mine <model-file> <audio.wav> --into <dataset-dir> [--threshold P] [--speaker NAME] [--engine ts|onnx] [--json]',
  help: [
    '  --into DIR       the dataset the windows go into, under _unknown_/ (created if missing)',
    thresholdHelp,
    `  --speaker NAME   speaker of the saved clips (default ${MINED_SPEAKER})`,
    '  --engine E       ts (default) or onnx',
    '  --json           print { mined, seconds, clips: [{ path, label, time }] }',
    '',
    'Give it a few minutes of the room as it is when Hark listens, with none of the words in it:',
    'every detection is a mistake. Then train again on the dataset.',
  ].join('\n'),
  options: { into: { type: 'string' }, ...declaredFlags(DETECTOR_OPTIONS.threshold), speaker: { type: 'string' }, engine: { type: 'string' }, json: { type: 'boolean' } },
  positionals: ['model-file', 'audio.wav'],
  async run(ctx) {
    const { io, values } = ctx;
    if (typeof values.into !== 'string' || values.into === '') throw new UsageError('--into <dataset-dir> is required', this.usage);
    const choice = parseEngine(values.engine as string | undefined, this.usage);
    const threshold = declaredOption(this, values, DETECTOR_OPTIONS.threshold);
    const speaker = typeof values.speaker === 'string' ? values.speaker : MINED_SPEAKER;
    const json = values.json === true;
    const m = await readModelFile(ctx.path(ctx.positionals[0]));
    const thresholds = threshold === undefined ? m.calibration?.thresholds : undefined;
    const dataset = await openDataset(ctx.path(values.into), { create: true });
    const found: MinedWindow[] = [];
    let samples: number;
    try {
      const engine = await openEngine(choice, m);
      try {
        const detector = new KeywordDetector(engine, m, { threshold: threshold ?? DETECTOR_OPTIONS.threshold.default, thresholds });
        const windows = new DetectionWindows(detector);
        samples = await detectFile(ctx.path(ctx.positionals[1]), detector, {
          signal: io.signal,
          onAudio: (chunk) => windows.record(chunk),
          onDetection: (d) => {
            found.push({ detection: d, window: windows.windowOf(d) });
            if (!json) out(io, detectionLine(d));
          },
        });
      } finally {
        await engine.dispose();
      }
      const clips = [];
      for (const f of found) clips.push({ ...(await dataset.addClip(OTHER_SPEECH_LABEL, speaker, f.window, `mined:${f.detection.label}`)), time: f.detection.time, heardAs: f.detection.label });
      if (json) out(io, JSON.stringify({ mined: clips.length, seconds: samples / SAMPLE_RATE, clips: clips.map((c) => ({ path: c.path, label: c.heardAs, time: c.time })) }));
      else out(io, `saved ${clips.length} false activation${clips.length === 1 ? '' : 's'} in ${(samples / SAMPLE_RATE).toFixed(1)} s of audio as other speech in ${dataset.root}; train again to teach the model`);
    } finally {
      await dataset.close();
    }
    return EXIT_OK;
  },
};
