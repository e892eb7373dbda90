// Shared by the dataset tests: where the spoken digits are (read in place, CC BY-SA 4.0,
// Free Spoken Digit Dataset), and temp folders and open datasets cleaned up after each test.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { openDataset, type Dataset } from '../../../../app/node/dataset/store.js';
import { FSDD } from '../../../../scripts/shared-data.js';

export { FSDD };

/** Registers cleanup in the calling test file; returns makers of temp dirs and tracked datasets. */
export function datasetScratch(prefix: string): {
  tempDir(): Promise<string>;
  openDs(dir: string, options?: { create?: boolean }): Promise<Dataset>;
} {
  const dirs: string[] = [];
  const open: Dataset[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((d) => d.close()));
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });
  return {
    async tempDir() {
      const d = await mkdtemp(join(tmpdir(), prefix));
      dirs.push(d);
      return d;
    },
    async openDs(dir, options) {
      const ds = await openDataset(dir, options);
      open.push(ds);
      return ds;
    },
  };
}
