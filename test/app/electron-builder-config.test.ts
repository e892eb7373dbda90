import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// electron-builder's own loader and schema check (the step `npm run dist` starts with),
// without packaging anything or downloading Electron.
const require = createRequire(import.meta.url);
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
  getConfig: (projectDir: string, configPath: string | null, fromOptions: null) => Promise<Record<string, unknown>>;
  validateConfiguration: (config: unknown, logger: unknown) => Promise<void>;
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };

const projectDir = new URL('../..', import.meta.url).pathname;

describe('electron-builder.yml', () => {
  it('passes electron-builder schema validation', async () => {
    const config = await getConfig(projectDir, null, null);
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('flips the security fuses and asks for the microphone on macOS', async () => {
    const config = (await getConfig(projectDir, null, null)) as {
      productName: string;
      files: unknown;
      electronFuses: Record<string, boolean>;
      mac: { extendInfo: Record<string, string>; entitlements: string };
    };
    expect(config.productName).toBe('Hark');
    expect(JSON.stringify(config.files)).toContain('"out/**/*"');
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
    expect(config.mac.extendInfo['NSMicrophoneUsageDescription']).toMatch(/microphone/i);
    const entitlements = readFileSync(new URL(`../../${config.mac.entitlements}`, import.meta.url), 'utf8');
    expect(entitlements).toMatch(/<key>com\.apple\.security\.device\.audio-input<\/key>\s*<true\/>/);
  });
});
