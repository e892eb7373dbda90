// Training, the model library and live recognition through a real engine process.
import { describe, it } from 'vitest';
import { engineScratch } from './engine-harness.js';
import { cancelAndResume, newestModelIsActive, onePersonTrains, trainExportImportListen } from './scenarios.js';

const scratch = engineScratch();

describe('training and listening over a real engine process (child_process.fork)', () => {
  it('trains with progress events, reports, exports, imports and detects streamed words', async () => {
    await trainExportImportListen((await scratch.start()).client);
  }, 300_000);

  it('trains one person\'s takes under the default speaker name and reports on held-out takes', async () => {
    await onePersonTrains((await scratch.start()).client);
  }, 300_000);

  it('makes each newly trained model the active one, which live.start then listens with', async () => {
    await newestModelIsActive((await scratch.start()).client);
  }, 300_000);

  it('cancels a run and resumes it', async () => {
    await cancelAndResume((await scratch.start()).client);
  }, 300_000);
});
