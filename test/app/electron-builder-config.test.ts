import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
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
// The matcher electron-builder applies to node_modules when it packs (only "!" patterns
// of `files` and the platform's `files` count there).
const { getNodeModuleFileMatcher } = require('app-builder-lib/out/fileMatcher.js') as {
  getNodeModuleFileMatcher: (
    appDir: string, destination: string, macroExpander: (pattern: string) => string,
    platformOptions: { files?: unknown }, packager: { config: { files?: unknown }; debugLogger: { isEnabled: boolean } },
  ) => { createFilter(): (file: string, stat: ReturnType<typeof statSync>) => boolean };
};

const projectDir = new URL('../..', import.meta.url).pathname;

describe('electron-builder.yml', () => {
  it('passes electron-builder schema validation', async () => {
    const config = await getConfig(projectDir, null, null);
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('ships the bundled other speech where the engine looks for it', async () => {
    const config = (await getConfig(projectDir, null, null)) as { extraResources: { from: string; to: string }[] };
    const { OTHER_SPEECH_DIR } = await import('../../app/node/other-speech.js');
    expect(config.extraResources).toContainEqual({ from: `assets/${OTHER_SPEECH_DIR}`, to: OTHER_SPEECH_DIR });
  });

  it('ships the pretrained encoder where the engine looks for it', async () => {
    const config = (await getConfig(projectDir, null, null)) as { extraResources: { from: string; to: string }[] };
    const { PRETRAINED_DIR } = await import('../../app/node/pretrained.js');
    expect(config.extraResources).toContainEqual({ from: `assets/${PRETRAINED_DIR}`, to: PRETRAINED_DIR });
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

describe('packaging onnxruntime-node', () => {
  type Config = { files: unknown; asarUnpack: string[] } & Record<'linux' | 'win' | 'mac', { files: unknown }>;
  const ortBin = join(projectDir, 'node_modules/onnxruntime-node/bin');
  const binaries = (function walk(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
  })(ortBin);

  /** The onnxruntime files electron-builder would pack for a platform and arch, as platform/arch/file. */
  async function packed(platform: 'linux' | 'win' | 'mac', arch: string): Promise<string[]> {
    const config = (await getConfig(projectDir, null, null)) as unknown as Config;
    const matcher = getNodeModuleFileMatcher(projectDir, '/tmp/app', (p) => p.replaceAll('${arch}', arch), config[platform], {
      config,
      debugLogger: { isEnabled: false },
    });
    const filter = matcher.createFilter();
    // A file is packed when it and every folder above it pass the filter (the copy walks down).
    return binaries
      .filter((file) => {
        for (let p = file; p.startsWith(ortBin); p = join(p, '..')) if (!filter(p, statSync(p))) return false;
        return true;
      })
      .map((file) => relative(ortBin, file).split(/[\\/]/).slice(1).join('/'));
  }

  it('unpacks its binaries from the asar', async () => {
    const config = (await getConfig(projectDir, null, null)) as unknown as Config;
    expect(config.asarUnpack).toContain('node_modules/onnxruntime-node/bin/**');
  });

  it('keeps only the target platform and architecture (electron-builder\'s own matcher; no pack run, which needs the Electron binary)', async () => {
    const folders = async (platform: 'linux' | 'win' | 'mac', arch: string) => [...new Set((await packed(platform, arch)).map((f) => f.split('/').slice(0, 2).join('/')))];
    expect(await folders('linux', 'x64')).toEqual(['linux/x64']);
    expect(await packed('linux', 'x64')).toEqual(expect.arrayContaining(['linux/x64/onnxruntime_binding.node', 'linux/x64/libonnxruntime.so.1']));
    expect(await folders('linux', 'arm64')).toEqual(['linux/arm64']);
    expect(await folders('win', 'x64')).toEqual(['win32/x64']);
    expect(await folders('mac', 'arm64')).toEqual(['darwin/arm64']);
  });
});
