// hark export <model-file> <out.onnx>: the model as one ONNX file (opset 14) with its
// labels and feature settings in the metadata, loadable by any ONNX runtime.

import { exportKwsModel, loadKwsModel } from '../../../core/kws/model-file.js';
import type { Command } from '../command.js';
import { CliError, EXIT_OK } from '../errors.js';
import { out } from '../io.js';
import { checkWritable, describeModel, formatBytes, readModelFile, sameFile, writeFileSafely } from '../model-io.js';

export const exportCommand: Command = {
  name: 'export',
  summary: 'export a model to ONNX (labels and feature settings in its metadata)',
  usage: 'hark export <model-file> <out.onnx>',
  help: '  (no options)',
  options: {},
  positionals: ['model-file', 'out.onnx'],
  async run(ctx) {
    const { io } = ctx;
    const src = ctx.path(ctx.positionals[0]);
    const m = await readModelFile(src);
    const dest = ctx.path(ctx.positionals[1]);
    if (await sameFile(src, dest)) throw new CliError(`${dest} is the model being exported; writing it would replace the model: give another output file`);
    await checkWritable(dest);
    const bytes = exportKwsModel(m);
    // Read back before writing: the file must load as the same model.
    const back = loadKwsModel(bytes);
    if (back.labels.join('\n') !== m.labels.join('\n') || back.model.paramCount !== m.model.paramCount) {
      throw new CliError('the exported model did not read back as the same model; nothing was written');
    }
    await writeFileSafely(dest, bytes);
    out(io, `wrote ${dest} (${formatBytes(bytes.length)}; ${describeModel(m)})`);
    out(io, `  input "features" float32 [time, batch, ${m.model.config.inputSize}] raw feature frames; output "probabilities" float32 [batch, ${m.labels.length}]`);
    return EXIT_OK;
  },
};
