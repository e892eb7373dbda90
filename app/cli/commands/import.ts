// hark import <source-dir> <dataset-dir>: every WAV under the source (any rate, channel
// count and sample format the decoder supports) converted to 16 kHz mono 16-bit and added
// to the dataset (created if missing). The label is the file's folder, the speaker the part
// of its name before `_nohash_`; `_background_noise_` files become background noise. Each
// file that is not imported is listed with the reason.

import { readdir } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { BACKGROUND_DIR, openDataset, type Rejection } from '../../node/dataset/store.js';
import type { Command } from '../command.js';
import { CliError, describeErrno, EXIT_OK } from '../errors.js';
import { out } from '../io.js';

/** Files the store does not look at (it imports .wav only): not audio it can read. */
async function otherFiles(src: string): Promise<Rejection[]> {
  const found: Rejection[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.name.startsWith('.')) continue;
      const full = join(dir, e.name);
      if (e.isDirectory()) await walk(full);
      else if (e.isFile() && !e.name.toLowerCase().endsWith('.wav') && !IGNORED.test(e.name)) {
        found.push({
          file: relative(src, full).split(sep).join('/'), code: 'unsupported-format',
          message: 'not a .wav file; Hark imports WAV (PCM 8/16/24/32-bit or float, any rate and channels): convert it first, e.g. with sox or ffmpeg',
        });
      }
    }
  };
  await walk(src);
  return found;
}

// Text that travels with audio sets: not audio, not worth a rejection.
const IGNORED = /^(readme|license|licence|copying|notice)(\..*)?$|^(validation|testing)_list\.txt$|^hark-manifest\.json$/i;

export const importCommand: Command = {
  name: 'import',
  summary: 'import a folder of audio files into a dataset, converting them; lists every file it rejects and why',
  usage: 'hark import <source-dir> <dataset-dir> [--label WORD] [--speaker NAME] [--json]',
  help: [
    '  --label WORD     label every file WORD (default: the name of the folder it is in)',
    '  --speaker NAME   speaker of every file (default: the part of its name before _nohash_)',
    '  --json           print { dataset, imported, labels, background, rejected: [{file, code, message}] }',
    '',
    `The dataset is created if it does not exist. Files under ${BACKGROUND_DIR}/ become`,
    'background noise. A file that cannot be imported is reported and the rest go in.',
  ].join('\n'),
  options: { label: { type: 'string' }, speaker: { type: 'string' }, json: { type: 'boolean' } },
  positionals: ['source-dir', 'dataset-dir'],
  async run(ctx) {
    const { io, values } = ctx;
    const src = ctx.path(ctx.positionals[0]);
    const dest = ctx.path(ctx.positionals[1]);
    let others: Rejection[];
    try {
      others = await otherFiles(src);
    } catch (err) {
      throw new CliError(`cannot read the folder ${describeErrno(err) ?? src}`, { cause: err });
    }
    const inside = relative(src, dest);
    if (inside === '' || (!inside.startsWith('..') && !isAbsolute(inside))) throw new CliError(`the dataset ${dest} must not be inside the source folder ${src}`);
    io.stderr.write(`importing ${src} into ${dest}…\n`);
    const dataset = await openDataset(dest, { create: true });
    let result;
    try {
      result = await dataset.importFolder(src, {
        label: typeof values.label === 'string' ? values.label : undefined,
        speaker: typeof values.speaker === 'string' ? values.speaker : undefined,
      });
    } finally {
      await dataset.close();
    }
    const rejected = [...result.rejected, ...others].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
    const labels = [...new Set(result.imported.map((e) => e.label))].sort();
    if (values.json === true) {
      out(io, JSON.stringify({ dataset: dest, imported: result.imported.length, labels, clips: result.imported.map((e) => ({ path: e.path, label: e.label, speaker: e.speaker, split: e.split, source: e.source })), background: result.background, rejected }));
    } else {
      out(io, `imported ${result.imported.length} clip${result.imported.length === 1 ? '' : 's'}${labels.length ? ` (${labels.join(', ')})` : ''}` +
        `${result.background.length ? ` and ${result.background.length} background recording${result.background.length === 1 ? '' : 's'}` : ''} into ${dest}`);
      if (rejected.length > 0) {
        out(io, `rejected ${rejected.length} file${rejected.length === 1 ? '' : 's'}:`);
        for (const r of rejected) out(io, `  ${r.file}: ${r.message} [${r.code}]`);
      }
    }
    if (result.imported.length === 0 && result.background.length === 0 && rejected.length === 0) {
      throw new CliError(`no audio files found in ${src}`);
    }
    return EXIT_OK;
  },
};
