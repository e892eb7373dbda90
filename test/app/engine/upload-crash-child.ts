// Run in a child process by wav-upload-names.test.ts (node --import tsx upload-crash-child.ts
// <dataset>): uploads one WAV with importUploadedWavs and dies (SIGKILL, so no cleanup code
// runs) at the moment the upload's files are written and the import would begin.
import { encodeWav } from '../../../core/audio/wav.js';
import { openDataset } from '../../../app/node/dataset/store.js';
import { importUploadedWavs } from '../../../app/engine/wav-upload.js';

const dataset = await openDataset(process.argv[2], { create: true });
dataset.importFolder = () => {
  process.kill(process.pid, 'SIGKILL');
  return new Promise(() => {});
};
await importUploadedWavs(dataset, [{ name: 'yes/alice_nohash_0.wav', bytes: encodeWav(new Float32Array(1600).fill(0.1), 16000) }], {});
