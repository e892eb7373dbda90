import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeWav, encodeWav } from '../../../../core/audio/wav.js';
import { HarkError } from '../../../../core/errors.js';
import { tempPathFor } from '../../../../app/node/dataset/atomic.js';
import { whichSet } from '../../../../app/node/dataset/split.js';
import {
  BACKGROUND_DIR, DatasetError, LOCK_FILE, MANIFEST_FILE, SCHEMA_VERSION, STAGING_DIR, TRASH_DIR, openDataset, type Manifest,
} from '../../../../app/node/dataset/store.js';
import { FSDD, datasetScratch } from './fixtures.js';

const { tempDir, openDs } = datasetScratch('hark-store-');
const tone = (n: number, f = 440, rate = 16000): Float32Array => Float32Array.from({ length: n }, (_, i) => 0.3 * Math.sin((2 * Math.PI * f * i) / rate));
const readManifest = async (dir: string): Promise<Manifest> => JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as Manifest;

/** A few FSDD files, in the Speech Commands layout (copied to a temp dir; not into the repo). */
async function fsddCopy(): Promise<string> {
  const d = await tempDir();
  const picks: [string, string][] = [
    ['one', 'jackson_nohash_0.wav'], ['one', 'nicolas_nohash_0.wav'], ['two', 'jackson_nohash_1.wav'], ['two', 'yweweler_nohash_2.wav'],
  ];
  for (const [label, file] of picks) {
    await mkdir(join(d, label), { recursive: true });
    await copyFile(join(FSDD, label, file), join(d, label, file));
  }
  await mkdir(join(d, '_background_noise_'));
  await writeFile(join(d, '_background_noise_', 'hum.wav'), encodeWav(tone(1600), 16000));
  return d;
}

describe('openDataset on a Speech Commands folder', () => {
  it('opens without a manifest and builds one', async () => {
    const d = await fsddCopy();
    const ds = await openDs(d);
    expect(ds.recovery.map((r) => r.code)).toEqual(['manifest-missing']);
    const clips = ds.clips();
    expect(clips.map((c) => c.path)).toEqual(['one/jackson_nohash_0.wav', 'one/nicolas_nohash_0.wav', 'two/jackson_nohash_1.wav', 'two/yweweler_nohash_2.wav']);
    const c = clips[1];
    expect(c.label).toBe('one');
    expect(c.speaker).toBe('nicolas');
    expect(c.source).toBe('found');
    const bytes = await readFile(join(d, c.path));
    expect(c.durationSeconds).toBeCloseTo(decodeWav(new Uint8Array(bytes)).durationSeconds, 9);
    expect(c.sha256).toMatch(/^[0-9a-f]{64}$/);
    const m = await readManifest(d);
    expect(m.schemaVersion).toBe(SCHEMA_VERSION);
    // The manifest keeps the rule by speaker (nicolas: validation); it leaves "two" with no
    // held-out clip, so the clips handed out carry the split by take a run uses.
    expect(m.entries.map((e) => e.split)).toEqual(['training', 'validation', 'training', 'training']);
    expect(ds.splitPlan()).toMatchObject({ basis: 'take', fallback: expect.stringContaining('"two" without held-out clips') });
    expect(m.entries.map(({ split: _, ...e }) => e)).toEqual(clips.map(({ split: _, ...e }) => e));
    await ds.close();
    const again = await openDs(d);
    expect(again.recovery).toEqual([]);
    expect(again.clips()).toEqual(clips);
  });

  it('honours list files', async () => {
    const d = await fsddCopy();
    await writeFile(join(d, 'testing_list.txt'), 'one/jackson_nohash_0.wav\ntwo/jackson_nohash_1.wav\n');
    const ds = await openDs(d);
    const split = Object.fromEntries(ds.clips().map((c) => [c.path, c.split]));
    expect(split).toEqual({
      'one/jackson_nohash_0.wav': 'testing', 'two/jackson_nohash_1.wav': 'testing',
      'one/nicolas_nohash_0.wav': 'training', 'two/yweweler_nohash_2.wav': 'training',
    });
    // A new clip of a listed speaker joins that speaker's split, and the lists are kept up to date.
    const added = await ds.addClip('one', 'jackson', tone(800));
    expect(added.split).toBe('testing');
    expect(await readFile(join(d, 'testing_list.txt'), 'utf8')).toContain('one/jackson_nohash_1.wav');
  });

  it('imports the FSDD folder into a new dataset with no speaker in two splits', async () => {
    const d = await tempDir();
    const ds = await openDs(join(d, 'new'), { create: true });
    const src = await fsddCopy();
    const r = await ds.importFolder(src);
    expect(r.rejected).toEqual([]);
    expect(r.imported).toHaveLength(4);
    expect(r.background).toEqual(['_background_noise_/hum.wav']);
    const bySpeaker = new Map<string, Set<string>>();
    for (const c of ds.clips()) bySpeaker.set(c.speaker, (bySpeaker.get(c.speaker) ?? new Set()).add(c.split));
    for (const s of bySpeaker.values()) expect(s.size).toBe(1);
  });
});

describe('writing', () => {
  it('addClip, relabel and deleteClip are reflected in the manifest and on disk', async () => {
    const d = await tempDir();
    const ds = await openDs(d);
    const a = await ds.addClip('yes', 'alice', tone(16000));
    const b = await ds.addClip('yes', 'alice', tone(8000));
    expect(a.path).toBe('yes/alice_nohash_0.wav');
    expect(b.path).toBe('yes/alice_nohash_1.wav');
    expect(a.durationSeconds).toBe(1);
    expect(a.split).toBe(whichSet('alice_nohash_0.wav'));
    expect(a.source).toBe('recorded');
    const decoded = decodeWav(new Uint8Array(await readFile(join(d, a.path))));
    expect(decoded.sampleRate).toBe(16000);
    expect(decoded.samples.length).toBe(16000);

    const moved = await ds.relabel(a.path, 'no');
    expect(moved.path).toBe('no/alice_nohash_0.wav');
    expect(moved.sha256).toBe(a.sha256);
    expect(existsSync(join(d, a.path))).toBe(false);
    expect(existsSync(join(d, moved.path))).toBe(true);

    const trashed = await ds.deleteClip(b.path);
    expect(trashed).toBe(`${TRASH_DIR}/yes/alice_nohash_1.wav`);
    expect(existsSync(join(d, b.path))).toBe(false);
    expect(existsSync(join(d, trashed))).toBe(true);

    expect((await readManifest(d)).entries.map((e) => e.path)).toEqual(['no/alice_nohash_0.wav']);
    // The next free <n> skips nothing that is still on disk.
    expect((await ds.addClip('yes', 'alice', tone(100))).path).toBe('yes/alice_nohash_0.wav');
    await ds.close();
    const again = await openDs(d);
    expect(again.recovery).toEqual([]);
    expect(again.clips().map((c) => c.path)).toEqual(['no/alice_nohash_0.wav', 'yes/alice_nohash_0.wav']);
  });

  it('restoreClip undoes deleteClip', async () => {
    const d = await tempDir();
    const ds = await openDs(d);
    const a = await ds.addClip('yes', 'erin', tone(1600));
    const trashed = await ds.deleteClip(a.path);
    expect(ds.clips()).toEqual([]);
    const back = await ds.restoreClip(trashed);
    expect([back.path, back.sha256, back.durationSeconds]).toEqual([a.path, a.sha256, a.durationSeconds]);
    expect(existsSync(join(d, trashed))).toBe(false);
    expect((await readManifest(d)).entries.map((e) => e.path)).toEqual([a.path]);
    await expect(ds.restoreClip('yes/erin_nohash_0.wav')).rejects.toMatchObject({ code: 'not-found' });
  });

  it('refuses bad names and unknown clips with typed errors', async () => {
    const ds = await openDs(await tempDir());
    for (const [label, speaker] of [['../x', 'a'], ['_background_noise_', 'a'], ['yes', 'a_nohash_1'], ['', 'a'], ['yes', '.a']]) {
      await expect(ds.addClip(label, speaker, tone(10))).rejects.toMatchObject({ code: 'bad-name' });
    }
    await expect(ds.relabel('yes/nobody_nohash_0.wav', 'no')).rejects.toMatchObject({ code: 'not-found' });
    await expect(ds.deleteClip('yes/nobody_nohash_0.wav')).rejects.toBeInstanceOf(DatasetError);
  });
});

describe('background recordings', () => {
  it('are listed with their length, read back, deleted to the trash and restored', async () => {
    const d = await tempDir();
    const ds = await openDs(d);
    expect(await ds.backgrounds()).toEqual([]);
    const hum = await ds.addBackground('hum', tone(16000 * 2, 50));
    const fan = await ds.addBackground('fan', tone(8000, 120));
    expect(await ds.backgrounds()).toEqual([
      { path: `${BACKGROUND_DIR}/fan.wav`, name: 'fan.wav', durationSeconds: 0.5 },
      { path: `${BACKGROUND_DIR}/hum.wav`, name: 'hum.wav', durationSeconds: 2 },
    ]);
    expect((await ds.readBackground(fan)).length).toBe(8000);
    const bytes = await readFile(join(d, hum));

    // Delete: one rename into the trash, nothing else touched (the clips' manifest neither).
    const manifestBefore = await readFile(join(d, MANIFEST_FILE), 'utf8').catch(() => null);
    const trashed = await ds.deleteBackground(hum);
    expect(trashed).toBe(`${TRASH_DIR}/${BACKGROUND_DIR}/hum.wav`);
    expect(existsSync(join(d, hum))).toBe(false);
    expect(await readFile(join(d, trashed))).toEqual(bytes);
    expect((await ds.backgrounds()).map((b) => b.name)).toEqual(['fan.wav']);
    expect(await readFile(join(d, MANIFEST_FILE), 'utf8').catch(() => null)).toBe(manifestBefore);
    await expect(ds.readBackground(hum)).rejects.toMatchObject({ code: 'not-found' });

    // A second recording of the same name deleted too: the trash keeps both.
    await ds.addBackground('hum', tone(1600, 70));
    const second = await ds.deleteBackground(hum);
    expect(second).toBe(`${TRASH_DIR}/${BACKGROUND_DIR}/hum.wav.1`);

    // Restore the first: back under its own name, the same bytes, listed again.
    const back = await ds.restoreBackground(trashed);
    expect(back).toEqual({ path: hum, name: 'hum.wav', durationSeconds: 2 });
    expect(await readFile(join(d, hum))).toEqual(bytes);
    expect(existsSync(join(d, trashed))).toBe(false);
    // The second comes back under a free name, since its own is taken again.
    expect((await ds.restoreBackground(second)).path).toBe(`${BACKGROUND_DIR}/hum-1.wav`);
    await expect(ds.restoreBackground(trashed)).rejects.toMatchObject({ code: 'not-found' });

    // Reopened: nothing to repair, every recording there.
    await ds.close();
    const again = await openDs(d);
    expect(again.recovery).toEqual([]);
    expect((await again.backgrounds()).map((b) => b.name)).toEqual(['fan.wav', 'hum-1.wav', 'hum.wav']);
  });

  it('refuses what is not a background recording with typed errors, and lists an unreadable one', async () => {
    const d = await tempDir();
    const ds = await openDs(d);
    const clip = await ds.addClip('yes', 'alice', tone(1600));
    const clipTrash = await ds.deleteClip(clip.path);
    for (const path of [clip.path, `${BACKGROUND_DIR}/none.wav`, `${BACKGROUND_DIR}/../${clip.path}`, MANIFEST_FILE]) {
      await expect(ds.deleteBackground(path)).rejects.toMatchObject({ code: 'not-found' });
      await expect(ds.readBackground(path)).rejects.toBeInstanceOf(DatasetError);
    }
    // A trashed clip is not restored as background, nor the reverse.
    await expect(ds.restoreBackground(clipTrash)).rejects.toMatchObject({ code: 'not-found' });
    await expect(ds.restoreBackground(`${TRASH_DIR}/${BACKGROUND_DIR}/../../x.wav`)).rejects.toMatchObject({ code: 'not-found' });
    expect(existsSync(join(d, clipTrash))).toBe(true);

    await mkdir(join(d, BACKGROUND_DIR));
    await writeFile(join(d, BACKGROUND_DIR, 'broken.wav'), 'not a wav');
    expect(await ds.backgrounds()).toEqual([{ path: `${BACKGROUND_DIR}/broken.wav`, name: 'broken.wav', durationSeconds: null }]);
    // It can still be deleted (and so cleared out of training's way).
    await ds.deleteBackground(`${BACKGROUND_DIR}/broken.wav`);
    expect(await ds.backgrounds()).toEqual([]);
  });
});

describe('importFolder', () => {
  it('converts any rate and format, reports each bad file and imports the rest', async () => {
    const src = await tempDir();
    await mkdir(join(src, 'yes'));
    await mkdir(join(src, 'no', 'deeper'), { recursive: true });
    await writeFile(join(src, 'yes', 'bob_nohash_0.wav'), encodeWav(tone(8000, 300, 8000), 8000));
    await writeFile(join(src, 'yes', 'bob_nohash_1.WAV'), encodeWav(tone(44100, 300, 44100), 44100));
    await writeFile(join(src, 'no', 'deeper', 'take 1.wav'), encodeWav(tone(16000), 16000));
    await writeFile(join(src, 'yes', 'empty.wav'), new Uint8Array(0));
    await writeFile(join(src, 'yes', 'text.wav'), 'this is not audio');
    const truncated = encodeWav(tone(1000), 16000).slice(0, 30);
    await writeFile(join(src, 'no', 'cut_nohash_0.wav'), truncated);
    await writeFile(join(src, 'loose.wav'), encodeWav(tone(100), 16000));
    await writeFile(join(src, 'yes', 'notes.txt'), 'ignored');

    const d = await tempDir();
    const ds = await openDs(d);
    const r = await ds.importFolder(src);
    expect(r.rejected.map((x) => [x.file, x.code]).sort()).toEqual([
      ['loose.wav', 'no-label'], ['no/cut_nohash_0.wav', 'truncated'], ['yes/empty.wav', 'empty'], ['yes/text.wav', 'not-wav'],
    ]);
    for (const x of r.rejected) expect(x.message.length).toBeGreaterThan(0);
    expect(r.imported.map((c) => c.path).sort()).toEqual(['deeper/take-1_nohash_0.wav', 'yes/bob_nohash_0.wav', 'yes/bob_nohash_1.wav']);
    const bob0 = r.imported.find((c) => c.path === 'yes/bob_nohash_0.wav')!;
    expect(bob0.durationSeconds).toBeCloseTo(1, 2);
    expect(bob0.source).toMatch(/^import:.*yes\/bob_nohash_0\.wav$/);
    for (const c of r.imported) expect(decodeWav(new Uint8Array(await readFile(join(d, c.path)))).sampleRate).toBe(16000);
    expect((await readManifest(d)).entries).toHaveLength(3);
  });

  it('a label option puts every file under that label', async () => {
    const src = await tempDir();
    await writeFile(join(src, 'carol_nohash_0.wav'), encodeWav(tone(100), 16000));
    const ds = await openDs(await tempDir());
    const r = await ds.importFolder(src, { label: 'stop' });
    expect(r.imported.map((c) => c.path)).toEqual(['stop/carol_nohash_0.wav']);
  });
});

describe('importFolder: what it refuses, and why', () => {
  it('refuses a WAV file that is cut off (its data chunk longer than the file) and imports the rest', async () => {
    const src = await tempDir();
    await mkdir(join(src, 'yes'));
    const whole = encodeWav(tone(16000), 16000);
    await writeFile(join(src, 'yes', 'ann_nohash_0.wav'), whole.slice(0, 46)); // the header and one sample of a 1 s clip
    await writeFile(join(src, 'yes', 'ann_nohash_1.wav'), whole.slice(0, 44 + 6400)); // 0.2 s of it
    await writeFile(join(src, 'yes', 'ann_nohash_2.wav'), whole);
    // A streaming writer's placeholder size (0xFFFFFFFF: "to the end") is not a cut-off file.
    const streamed = whole.slice();
    new DataView(streamed.buffer).setUint32(40, 0xffffffff, true);
    await writeFile(join(src, 'yes', 'ann_nohash_3.wav'), streamed);
    const ds = await openDs(await tempDir());
    const r = await ds.importFolder(src);
    expect(r.rejected.map((x) => [x.file, x.code])).toEqual([['yes/ann_nohash_0.wav', 'truncated'], ['yes/ann_nohash_1.wav', 'truncated']]);
    expect(r.rejected[1].message).toMatch(/cut off.*32000 bytes.*6400/);
    expect(r.imported.map((c) => [c.path, c.durationSeconds])).toEqual([['yes/ann_nohash_0.wav', 1], ['yes/ann_nohash_1.wav', 1]]);
  });

  it('reports names that give no speaker or label, and hidden WAV files, instead of dropping or mangling them', async () => {
    const src = await tempDir();
    await mkdir(join(src, 'yes'));
    await mkdir(join(src, ' - '));
    const wav = encodeWav(tone(800), 16000);
    for (const f of ['yes/ .wav', 'yes/.wav', 'yes/._bob_nohash_0.wav', 'yes/-_nohash_0.wav', ' - /bob_nohash_0.wav', 'yes/bob_nohash_0.wav']) await writeFile(join(src, f), wav);
    const ds = await openDs(await tempDir());
    const r = await ds.importFolder(src);
    expect(r.rejected.map((x) => [x.file, x.code]).sort()).toEqual([
      [' - /bob_nohash_0.wav', 'bad-name'], ['yes/ .wav', 'bad-name'], ['yes/-_nohash_0.wav', 'bad-name'],
      ['yes/._bob_nohash_0.wav', 'hidden-file'], ['yes/.wav', 'hidden-file'],
    ]);
    for (const x of r.rejected) expect(x.message).toMatch(/folder name|file name|hidden/);
    expect(r.imported.map((c) => c.path)).toEqual(['yes/bob_nohash_0.wav']);
    // With a speaker given, the file name does not have to hold one.
    const again = await ds.importFolder(join(src, 'yes'), { label: 'yes', speaker: 'bob' });
    expect(again.imported.map((c) => c.source.split('/').pop())).toEqual([' .wav', '-_nohash_0.wav', 'bob_nohash_0.wav']);
  });

  it('one name too long for a file name is refused with its reason; the rest of the batch is imported', async () => {
    const src = await tempDir();
    const longWord = 'ラベル'.repeat(23); // 207 bytes in UTF-8: a folder may be called that, a label may not
    const longSpeaker = '語'.repeat(78); // 234 bytes: the file name fits, the store's temp file beside it would not
    for (const dir of ['yes', longWord]) await mkdir(join(src, dir));
    const wav = encodeWav(tone(800), 16000);
    await writeFile(join(src, 'yes', `${longSpeaker}_nohash_0.wav`), wav);
    await writeFile(join(src, longWord, 'carl_nohash_0.wav'), wav);
    // Within the limit, and never cut: 99 letters and an emoji (whose two UTF-16 halves a cut at 100 would split).
    const justFits = `${'a'.repeat(99)}😀`;
    await writeFile(join(src, 'yes', `${justFits}_nohash_0.wav`), wav);
    await writeFile(join(src, 'yes', 'carl_nohash_0.wav'), wav);
    const d = await tempDir();
    const ds = await openDs(d);
    const r = await ds.importFolder(src);
    expect(r.rejected.map((x) => [x.file, x.code]).sort()).toEqual([
      [`yes/${longSpeaker}_nohash_0.wav`, 'name-too-long'], [`${longWord}/carl_nohash_0.wav`, 'name-too-long'],
    ]);
    expect(r.rejected[0].message).toMatch(/bytes in UTF-8; at most 200/);
    expect(r.imported.map((c) => c.speaker).sort()).toEqual([justFits, 'carl']);
    await expect(ds.addClip('yes', longSpeaker, tone(10))).rejects.toMatchObject({ code: 'name-too-long' });
    await expect(ds.addClip('yes', '\ud83d', tone(10))).rejects.toMatchObject({ code: 'bad-name' });
    await ds.close();
    const again = await openDs(d);
    expect(again.recovery).toEqual([]);
    expect(again.clips().map((c) => c.speaker).sort()).toEqual([justFits, 'carl']);
  });
});

describe('recovery at open', () => {
  it('a crash between writing a clip and writing the manifest is recovered', async () => {
    const d = await tempDir();
    const ds = await openDs(d);
    await ds.addClip('yes', 'alice', tone(1600));
    await ds.close();
    // The "crash": a clip written, the manifest never updated; a temp file of the manifest write left behind.
    await writeFile(join(d, 'yes', 'alice_nohash_1.wav'), encodeWav(tone(3200), 16000));
    const temp = tempPathFor(join(d, MANIFEST_FILE));
    await writeFile(temp, '{"schemaVersion":1,"entr');
    const again = await openDs(d);
    expect(again.recovery.map((r) => [r.code, r.path])).toEqual([
      ['temp-removed', temp.slice(d.length + 1)], ['unlisted-file', 'yes/alice_nohash_1.wav'],
    ]);
    expect(existsSync(temp)).toBe(false);
    expect((await readManifest(d)).entries.map((e) => [e.path, e.durationSeconds])).toEqual([
      ['yes/alice_nohash_0.wav', 0.1], ['yes/alice_nohash_1.wav', 0.2],
    ]);
  });

  it('a corrupt manifest is rebuilt; missing files dropped and changed ones re-read, with a report', async () => {
    const d = await tempDir();
    const ds = await openDs(d);
    const a = await ds.addClip('yes', 'alice', tone(1600));
    const b = await ds.addClip('no', 'bob', tone(1600));
    await ds.close();
    await rm(join(d, a.path));
    await writeFile(join(d, b.path), encodeWav(tone(4800), 16000));
    let again = await openDs(d);
    expect(again.recovery.map((r) => [r.code, r.path])).toEqual([['missing-file', a.path], ['checksum-mismatch', b.path]]);
    expect(again.clips().map((c) => [c.path, c.durationSeconds, c.source])).toEqual([[b.path, 0.3, 'recorded']]);
    await again.close();

    await writeFile(join(d, MANIFEST_FILE), '{ not json');
    again = await openDs(d);
    expect(again.recovery.map((r) => r.code)).toEqual(['manifest-corrupt']);
    expect(again.clips().map((c) => c.path)).toEqual([b.path]);
    expect((await readManifest(d)).schemaVersion).toBe(SCHEMA_VERSION);
  });

  it('a crash between moving a clip (relabel) and writing the manifest keeps its metadata', async () => {
    const d = await tempDir();
    const ds = await openDs(d);
    const r = await ds.importFolder(await (async () => {
      const src = await tempDir();
      await mkdir(join(src, 'yes'));
      await writeFile(join(src, 'yes', 'dan_nohash_0.wav'), encodeWav(tone(1600), 16000));
      return src;
    })());
    await ds.close();
    await mkdir(join(d, 'no'));
    await rename(join(d, 'yes', 'dan_nohash_0.wav'), join(d, 'no', 'dan_nohash_0.wav'));
    const again = await openDs(d);
    expect(again.recovery.map((x) => x.code)).toEqual(['missing-file', 'unlisted-file']);
    expect(again.clips()).toEqual([{ ...r.imported[0], path: 'no/dan_nohash_0.wav', label: 'no' }]);
  });

  it('what a crash left (temp files, scratch folders of an import, empty label folders) is removed and reported', async () => {
    const d = await tempDir();
    const ds = await openDs(d);
    const a = await ds.addClip('yes', 'alice', tone(1600));
    const staging = await ds.stagingDir();
    expect(staging.startsWith(join(d, STAGING_DIR))).toBe(true);
    await ds.close();
    // The "crash": an upload half copied into its scratch folder, a label folder made for a
    // clip whose write never finished (only its temp file is there), and one made and left empty.
    await mkdir(join(staging, 'upload', 'stop'), { recursive: true });
    await writeFile(join(staging, 'upload', 'stop', 'x_nohash_0.wav'), encodeWav(tone(100), 16000));
    await mkdir(join(d, 'go'));
    const temp = tempPathFor(join(d, 'go', 'alice_nohash_0.wav'));
    await writeFile(temp, encodeWav(tone(100), 16000).slice(0, 20));
    await mkdir(join(d, 'no'));
    const again = await openDs(d);
    expect(again.recovery.map((r) => [r.code, r.path])).toEqual([
      ['temp-removed', `${STAGING_DIR}/${staging.split(/[/\\]/).pop()}`],
      ['temp-removed', `go/${temp.split(/[/\\]/).pop()}`],
      ['empty-folder-removed', 'go'],
      ['empty-folder-removed', 'no'],
    ]);
    expect((await readdir(d)).sort()).toEqual([LOCK_FILE, MANIFEST_FILE, 'yes']);
    expect(again.clips().map((c) => c.path)).toEqual([a.path]);
    await again.close();
    expect((await openDs(d)).recovery).toEqual([]);
  });

  it('a label folder emptied by relabel or delete is removed at once, so the next open has nothing to report', async () => {
    const d = await tempDir();
    const ds = await openDs(d);
    const a = await ds.addClip('yes', 'alice', tone(1600));
    const b = await ds.addClip('go', 'alice', tone(1600));
    await ds.relabel(a.path, 'no');
    await ds.deleteClip(b.path);
    expect((await readdir(d)).sort()).toEqual([LOCK_FILE, TRASH_DIR, MANIFEST_FILE, 'no']);
    await ds.close();
    expect((await openDs(d)).recovery).toEqual([]);
  });

  it('an unreadable clip is reported and left alone', async () => {
    const d = await tempDir();
    await mkdir(join(d, 'yes'));
    await writeFile(join(d, 'yes', 'x_nohash_0.wav'), 'garbage');
    const ds = await openDs(d);
    expect(ds.recovery.map((r) => r.code)).toEqual(['manifest-missing', 'unreadable-clip']);
    expect(ds.clips()).toEqual([]);
    expect(existsSync(join(d, 'yes', 'x_nohash_0.wav'))).toBe(true);
  });

  it('refuses a manifest of a newer schema', async () => {
    const d = await tempDir();
    await writeFile(join(d, MANIFEST_FILE), JSON.stringify({ schemaVersion: SCHEMA_VERSION + 1, entries: [] }));
    await expect(openDataset(d)).rejects.toMatchObject({ code: 'newer-schema' });
    expect(existsSync(join(d, LOCK_FILE))).toBe(false);
  });
});

describe('lock', () => {
  it('a second writer gets a typed error until the first closes', async () => {
    const d = await tempDir();
    const first = await openDs(d);
    const err = await openDataset(d).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetError);
    expect(err).toBeInstanceOf(HarkError);
    expect((err as DatasetError).code).toBe('locked');
    await first.close();
    await expect(first.addClip('yes', 'a', tone(10))).rejects.toMatchObject({ code: 'closed' });
    const second = await openDs(d);
    expect(second.recovery).toEqual([]);
  });

  it('a stale lock of a dead process is taken over', async () => {
    const d = await tempDir();
    // A pid far above any pid_max is never alive.
    await writeFile(join(d, LOCK_FILE), JSON.stringify({ pid: 2 ** 30 }));
    const ds = await openDs(d);
    expect(ds.recovery.map((r) => r.code)).toContain('stale-lock');
    expect(JSON.parse(await readFile(join(d, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid });
    await ds.close();
    expect(await readdir(d)).not.toContain(LOCK_FILE);
  });

  it('a missing folder is a typed error unless create is set', async () => {
    const d = await tempDir();
    await expect(openDataset(join(d, 'nope'))).rejects.toMatchObject({ code: 'not-found' });
    const ds = await openDs(join(d, 'nope'), { create: true });
    expect(ds.clips()).toEqual([]);
  });
});

describe('exportTo', () => {
  it('writes clips, background, manifest and list files', async () => {
    const d = await fsddCopy();
    const ds = await openDs(d);
    const out = join(await tempDir(), 'out');
    await ds.exportTo(out);
    expect((await readdir(out)).sort()).toEqual(['_background_noise_', 'hark-manifest.json', 'one', 'testing_list.txt', 'two', 'validation_list.txt']);
    // The lists hold the split runs use (by take here: "two" has no held-out speaker), so the copy trains the same way.
    const planned = ds.clips();
    const listed = (split: string): string => planned.filter((c) => c.split === split).map((c) => `${c.path}\n`).join('');
    expect(await readFile(join(out, 'validation_list.txt'), 'utf8')).toBe(listed('validation'));
    expect(await readFile(join(out, 'testing_list.txt'), 'utf8')).toBe(listed('testing'));
    const copy = await openDs(out);
    expect(copy.recovery).toEqual([]);
    expect(copy.clips()).toEqual(ds.clips());
    await expect(ds.exportTo(out)).rejects.toMatchObject({ code: 'not-empty' });
  });
});
