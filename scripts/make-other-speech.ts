// Builds the bundled "other speech" set, assets/other-speech/: speech that is none of a user's
// commands, mixed into every training run as the `_unknown_` class (app/node/other-speech.ts
// reads it). A model trained on a person's few takes of their commands alone has never heard
// anything else and fires all the time while people talk.
//
//   manifest.json   { schemaVersion: 1, sampleRate: 16000, items: [{ file, kind, source,
//                   speaker, language, text, origin? }] }, items sorted by file
//   words/*.wav     kind 'word': one isolated word or short phrase, ≤ 1.5 s, 0.1 s of silence
//                   around it (espeak-ng, many voices and languages)
//   speech/*.wav    kind 'speech': continuous speech, 2–12 s, cut into 1 s windows by training
//                   (real people from LibriSpeech; espeak-ng sentences)
//   README.md       what is in it, whose it is, and how to rebuild it (written from the result)
//
// All 16 kHz mono 16-bit PCM. Deterministic: every choice comes from seeded PRNGs, so the same
// espeak-ng and sox versions give the same bytes. Needs espeak-ng, sox and the LibriSpeech
// folder (default ../shared/data/librispeech-78, next to the repository).
//   npm run make:other-speech [-- --out <dir>] [--librispeech <dir>]

import { execFile as execFileCb } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SAMPLE_RATE } from '../core/audio/sample-rate.js';
import { decodeWav, encodeWav } from '../core/audio/wav.js';
import { Random } from '../core/tensor/random.js';
import { spokenForm } from '../core/kws/labels.js';
import { DEFAULT_WORDS } from './make-keywords.js';
import { SHARED_DATA } from './shared-data.js';

const execFile = promisify(execFileCb);

/** The folder's budget: the app allows 20 MB; this leaves room (decimal megabytes, the stricter reading). */
export const MAX_BYTES = 12_000_000;
/** Longest word clip, and the range of a continuous-speech item (seconds). */
export const MAX_WORD_SECONDS = 1.5;
export const MIN_SPEECH_SECONDS = 2;
export const MAX_SPEECH_SECONDS = 12;

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_OUT = join(REPO, 'assets', 'other-speech');
const DEFAULT_LIBRISPEECH = join(SHARED_DATA, 'librispeech-78');
const SEED = 13; // issue 13

/**
 * Words that must never be taught as "not a command": users pick them as commands, and the
 * evaluation sets use them. Speech Commands v0.02's whole vocabulary (its ten commands, the
 * digits zero–nine and its other words), the English glosses of the Arabic Speech Commands
 * words (all 40 classes, including those kept back for evaluation), a few Arabic forms of
 * those, and words that sound the same as any of them ("know" is "no", "write" is "right",
 * German "nein" is "nine"). Matched as whole words, and as phrases for the two-word ones, in
 * every text this script synthesises; the script throws if one is generated.
 */
export const EXCLUDED_WORDS: readonly string[] = [
  // Speech Commands' ten commands: the default keywords (scripts/make-keywords.ts).
  ...DEFAULT_WORDS,
  // Digits, in English.
  'zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine',
  // Speech Commands v0.02's other words.
  'backward', 'bed', 'bird', 'cat', 'dog', 'follow', 'forward', 'happy', 'house', 'learn', 'marvin', 'sheila', 'tree', 'visual', 'wow',
  // Arabic Speech Commands: English glosses of its words (the shared arabic-commands-12 folders
  // and the words it keeps back), then common Arabic forms of the commands and digits.
  'cancel', 'close', 'digit', 'direction', 'disable', 'enable', 'enter', 'move', 'next', 'ok', 'open', 'options', 'previous',
  'receive', 'record', 'rotate', 'send', 'start', 'undo', 'zoom in', 'zoom out',
  'نعم', 'لا', 'يمين', 'يسار', 'فوق', 'تحت', 'أعلى', 'أسفل', 'توقف', 'ابدأ', 'موافق', 'إلغاء', 'افتح', 'أغلق', 'التالي', 'السابق',
  'صفر', 'واحد', 'اثنان', 'ثلاثة', 'أربعة', 'خمسة', 'ستة', 'سبعة', 'ثمانية', 'تسعة',
  // Same sound or spelling as one of the above.
  'know', 'write', 'rite', 'wright', 'won', 'to', 'too', 'for', 'fore', 'ate', 'okay', 'nein', 'stopp',
];

/**
 * Lower-case words separated by single spaces, without accents or vowel marks (so vowelled
 * Arabic matches its bare form): letters, digits and apostrophes kept.
 */
const normalise = spokenForm;

const EXCLUDED_PHRASES = EXCLUDED_WORDS.map(normalise);

/** The first excluded word or phrase `text` says (as whole words), or null. */
export function excludedWordIn(text: string): string | null {
  const padded = ` ${normalise(text)} `;
  return EXCLUDED_PHRASES.find((w) => padded.includes(` ${w} `)) ?? null;
}

/**
 * The 78 files of the shared LibriSpeech folder, in sorted order (JavaScript's default sort:
 * by UTF-16 code unit, as `LC_ALL=C ls`). Committed so that the rule below can be checked
 * without the folder (the test, CI).
 */
export const LIBRISPEECH_FILES: readonly string[] = [
  '1069-133699-0000', '1116-132847-0000', '1355-39947-0000', '150-126107-0000', '1502-122615-0000', '1624-142933-0000',
  '1743-142912-0000', '196-122150-0000', '2007-132570-0000', '2136-5140-0000', '2159-179154-0000', '2196-170151-0000',
  '2289-152253-0000', '229-130880-0000', '233-134440-0000', '2384-152900-0000', '2391-145015-0000', '248-130644-0000',
  '2518-154825-0000', '26-495-0000', '2764-36616-0000', '289-121652-0000', '2952-407-0000', '298-126790-0000',
  '2989-138028-0000', '3214-167602-0000', '3242-67153-0000', '328-129766-0000', '3607-135982-0000', '39-121914-0000',
  '3947-13260-0000', '3982-178459-0000', '3983-5331-0000', '40-121026-0000', '4014-186175-0000', '4088-158077-0000',
  '4362-15663-0000', '4406-16882-0000', '4441-76250-0000', '458-126290-0000', '5104-33406-0000', '5163-18515-0000',
  '5322-7678-0000', '5456-24741-0000', '5463-39173-0000', '5514-19192-0000', '5750-100289-0000', '5808-48608-0000',
  '5867-48852-0000', '6019-3185-0000', '6064-300880-0000', '6078-54007-0000', '6081-41997-0000', '6147-34605-0000',
  '6272-70168-0000', '6415-100596-0000', '6454-107462-0000', '6529-62554-0000', '6531-61334-0000', '669-129061-0000',
  '6818-68772-0000', '6836-61803-0000', '696-92939-0000', '7059-77897-0000', '7113-86041-0000', '7190-90542-0000',
  '7264-92310-0000', '7402-59171-0000', '7511-102419-0000', '8014-112586-0000', '8088-284756-0000', '8098-275181-0000',
  '8226-274369-0000', '831-130739-0000', '8747-293952-0000', '8797-294123-0000', '887-123289-0000', '909-131041-0000',
].map((name) => `${name}.wav`);

/**
 * Whether a LibriSpeech file may be in the bundle: only those at EVEN indices (0, 2, 4, …) of
 * the sorted list. The odd ones are kept back to evaluate the product (false activations while
 * people talk) and must never be trained on.
 */
export function isBundledLibrispeech(file: string): boolean {
  const i = LIBRISPEECH_FILES.indexOf(file);
  return i >= 0 && i % 2 === 0;
}

/** LibriSpeech segments: one per file, this long (uniform), cut at the quietest 20 ms frame near the ends. */
const SEGMENT_TARGET_SECONDS: readonly [number, number] = [3.8, 5.8];
const SEGMENT_MIN_SECONDS = 3;
const SEGMENT_MAX_SECONDS = 8;
/** How far from a target a cut may move to find a quiet frame (seconds). */
const CUT_SEARCH_SECONDS = 0.8;
const FRAME = 320; // 20 ms
const HOP = 160; // 10 ms
/** A linear fade at each cut, so a cut that is not quite silent does not click. */
const FADE_SAMPLES = 160;

/** Silence kept around a synthesised word or sentence (seconds). */
const PAD_SECONDS = 0.1;
/** A sample louder than this starts or ends the speech (espeak-ng's silence is digital zero). */
const SILENCE_LEVEL = 0.002;
const RATES: readonly [number, number] = [130, 200];
/** Sentences: a calmer range of rates, and the length wanted (within the format's 2–12 s). */
const SENTENCE_RATES: readonly [number, number] = [130, 170];
const SENTENCE_SECONDS: readonly [number, number] = [3, 8];
const PITCHES: readonly [number, number] = [25, 75];
/** A take that comes out too long (short) is said again this much faster (slower), at most MAX_TRIES times. */
const RATE_STEP = 30;
const MAX_TRIES = 4;
/** Each near-miss word is said by this many different voices. */
const NEAR_MISS_TAKES = 2;
/** espeak-ng's voice variants; '' is the voice's own. */
const VARIANTS = ['', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'f1', 'f2', 'f3', 'f4', 'f5'];

interface Language {
  /** The manifest's language code. */
  code: string;
  /** espeak-ng voices that speak it. */
  voices: readonly string[];
}

const LANGUAGES: Record<string, Language> = {
  en: { code: 'en', voices: ['en-us', 'en-gb', 'en-gb-scotland', 'en-029', 'en-gb-x-rp', 'en-gb-x-gbclan', 'en-gb-x-gbcwmd', 'en-us-nyc'] },
  de: { code: 'de', voices: ['de'] },
  fr: { code: 'fr', voices: ['fr-fr', 'fr-be', 'fr-ch'] },
  es: { code: 'es', voices: ['es', 'es-419'] },
  it: { code: 'it', voices: ['it'] },
  pt: { code: 'pt', voices: ['pt', 'pt-br'] },
  nl: { code: 'nl', voices: ['nl'] },
  pl: { code: 'pl', voices: ['pl'] },
  sv: { code: 'sv', voices: ['sv'] },
  tr: { code: 'tr', voices: ['tr'] },
  ru: { code: 'ru', voices: ['ru'] },
  hi: { code: 'hi', voices: ['hi'] },
  ar: { code: 'ar', voices: ['ar'] },
  // Debian's `cmn` voice reads Chinese characters as pinyin with the tone digits in English
  // ("ni three hao three"): Mandarin is synthesised from pinyin with tone numbers instead.
  zh: { code: 'zh', voices: ['cmn-latn-pinyin'] },
};

/** A text to synthesise: `text` is what is said (the manifest's), `say` what espeak-ng reads if different. */
type Phrase = string | { text: string; say: string };

/**
 * Words that sound close to the typical commands, each said by NEAR_MISS_TAKES English voices:
 * the model must learn that "shop" is not "stop". None contains the command itself ("often",
 * "yesterday" and "upper" would).
 */
const NEAR_MISSES: readonly string[] = [
  'yet', 'yeah', 'less', 'yell', 'guess', 'mess', 'yep', // yes
  'now', 'so', 'snow', 'low', 'nose', 'note', 'though', // no
  'goat', 'goal', 'grow', 'ago', 'toe', 'dough', // go
  'shop', 'top', 'step', 'stock', 'spot', 'drop', // stop
  'cup', 'uh', 'pup', 'us', 'app', 'cut', // up
  'town', 'done', 'dawn', 'gown', 'round', 'doubt', // down
  'lift', 'loft', 'laughed', 'lest', 'theft', 'leaf', // left
  'light', 'night', 'ride', 'rice', 'white', 'bright', 'fight', // right
  'in', 'an', 'and', 'own', 'gone', // on
  'of', 'oof', 'cough', 'golf', 'boss', // off
];

/**
 * Everyday words of each language, each said once by one of its voices: greetings, household
 * words, a number (never an English digit), function words, names; in English also words
 * close to the digits. Few per language: the folder's budget is shared with real speech.
 */
const EVERYDAY: Record<string, readonly Phrase[]> = {
  en: [
    'hero', 'want', 'free', 'fine', 'sticks', 'heaven', 'late', 'mine', // close to zero, one, three, five, six, seven, eight, nine
    'hello', 'thanks', 'please', 'sorry', 'morning', 'today', 'later', 'maybe', 'really', 'with', 'from', 'what', 'where', 'why',
    'here', 'just', 'ten', 'twelve', 'kitchen', 'water', 'coffee', 'Anna', 'Peter', 'Emma',
  ],
  de: ['Hallo', 'Danke', 'Küche', 'zwei', 'warum'],
  fr: ['Bonjour', 'Merci', 'cuisine', 'trois', 'pourquoi'],
  es: ['Hola', 'Gracias', 'cocina', 'dos', 'vale'],
  it: ['Ciao', 'Grazie', 'cucina', 'tre', 'allora'],
  pt: ['Olá', 'Obrigado', 'janela', 'dois', 'talvez'],
  nl: ['Hallo', 'Dank je', 'keuken', 'drie', 'misschien'],
  pl: ['Cześć', 'Dziękuję', 'okno', 'dwa', 'dlaczego'],
  sv: ['Hej', 'Tack', 'kök', 'tre', 'kanske'],
  tr: ['Merhaba', 'Lütfen', 'mutfak', 'iki', 'tamam'],
  ru: ['Привет', 'Спасибо', 'окно', 'два', 'почему'],
  hi: ['नमस्ते', 'धन्यवाद', 'पानी', 'चाय', 'क्यों'],
  // Vowelled: espeak-ng guesses the vowels of bare Arabic poorly ('شكرا' comes out as "skra").
  ar: ['مَرْحَبًا', 'شُكْرًا', 'قَهْوَة', 'مَاء', 'لِمَاذَا'],
  zh: [
    { text: '你好', say: 'ni3 hao3' }, { text: '谢谢', say: 'xie4 xie5' }, { text: '咖啡', say: 'ka1 fei1' },
    { text: '朋友', say: 'peng2 you5' }, { text: '为什么', say: 'wei4 shen2 me5' },
  ],
};

/** Everyday sentences (continuous speech), each said once by one of its language's voices. */
const SENTENCES: Record<string, readonly Phrase[]> = {
  en: ['Could you pass me the salt and pepper, please?', 'Have you seen my keys anywhere in the kitchen?'],
  de: ['Kannst du mir bitte das Salz geben?'],
  fr: ['Nous allons au marché demain matin.'],
  es: ['Mañana vamos a la playa con mis amigos.'],
  it: ['Che cosa facciamo stasera dopo cena?'],
  pt: ['Vamos jantar fora hoje à noite?'],
  nl: ['Zullen we morgen samen naar de markt fietsen?'],
  pl: ['Czy możesz zamknąć okno w kuchni?'],
  sv: ['Vill du ha en kopp kaffe innan vi åker?'],
  tr: ['Bu akşam yemekte ne yiyeceğiz?'],
  ru: ['Давай встретимся завтра после работы.'],
  hi: ['आज मौसम बहुत अच्छा है, चलो बाहर चलते हैं।'],
  ar: ['الطَّقْسُ جَمِيلٌ اليَوْمَ، هَلْ تُرِيدُ أَنْ نَخْرُجَ؟'],
  zh: [{ text: '我们今天晚上去吃饭吧。', say: 'wo3 men5 jin1 tian1 wan3 shang4 qu4 chi1 fan4 ba5' }],
};

export interface ManifestItem {
  file: string;
  kind: 'word' | 'speech';
  source: 'espeak-ng' | 'librispeech';
  /** The espeak-ng voice (with its variant), or the LibriSpeech speaker id. */
  speaker: string;
  language: string;
  /** What is said ('' when unknown). */
  text: string;
  /** LibriSpeech items: the source file's name in the shared folder. */
  origin?: string;
}

export interface Manifest {
  schemaVersion: 1;
  sampleRate: number;
  items: ManifestItem[];
}

interface Clip {
  item: ManifestItem;
  samples: Float32Array;
}

/** A synthesis job: what, in which voice, how fast and how high. */
interface Take {
  file: string;
  kind: 'word' | 'speech';
  language: string;
  voice: string;
  text: string;
  say: string;
  rate: number;
  pitch: number;
}

const textOf = (p: Phrase): string => (typeof p === 'string' ? p : p.text);
const sayOf = (p: Phrase): string => (typeof p === 'string' ? p : p.say);

/** ASCII file-name part of a text ('' for other scripts). */
function slug(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^a-z]+/g, '-').replace(/^-+|-+$/g, '');
}

/** Deals voices from a shuffled deck of (voice, variant), reshuffled when it runs out: even use, no runs. */
class VoiceDeck {
  private deck: string[] = [];
  constructor(private readonly voices: readonly string[], private readonly rng: Random) {}

  /** The next voice, different from those in `avoid` (a fresh deck goes under when only those are left). */
  deal(avoid: ReadonlySet<string> = new Set()): string {
    if (this.deck.every((v) => avoid.has(v))) {
      const fresh = this.voices.flatMap((v) => VARIANTS.map((variant) => (variant ? `${v}+${variant}` : v)));
      this.rng.shuffle(fresh);
      this.deck = [...fresh, ...this.deck];
    }
    let i = this.deck.length - 1;
    while (avoid.has(this.deck[i])) i--;
    return this.deck.splice(i, 1)[0];
  }
}

/** The synthesis jobs, in a fixed order, with every random choice made here. */
export function planTakes(): Take[] {
  const rng = new Random(SEED);
  const decks = new Map(Object.entries(LANGUAGES).map(([key, lang]) => [key, new VoiceDeck(lang.voices, rng)]));
  const counters = new Map<string, number>();
  const takes: Take[] = [];
  const add = (key: string, kind: 'word' | 'speech', phrase: Phrase, voice: string): void => {
    const lang = LANGUAGES[key];
    const rates = kind === 'word' ? RATES : SENTENCE_RATES;
    const n = (counters.get(`${kind}-${key}`) ?? 0) + 1;
    counters.set(`${kind}-${key}`, n);
    // Words are named after what is said, in ASCII (pinyin without its tone numbers); other scripts are numbered only.
    const said = kind === 'word' ? slug(textOf(phrase)) || slug(sayOf(phrase).replace(/\d/g, '')) : '';
    const name = [lang.code, String(n).padStart(3, '0'), said].filter(Boolean).join('-');
    takes.push({
      file: `${kind === 'word' ? 'words' : 'speech'}/${name}.wav`, kind, language: lang.code, voice, text: textOf(phrase), say: sayOf(phrase),
      rate: rates[0] + rng.int(rates[1] - rates[0] + 1), pitch: PITCHES[0] + rng.int(PITCHES[1] - PITCHES[0] + 1),
    });
  };
  const deck = (key: string): VoiceDeck => decks.get(key) as VoiceDeck;
  for (const word of NEAR_MISSES) {
    const used = new Set<string>();
    for (let t = 0; t < NEAR_MISS_TAKES; t++) {
      const voice = deck('en').deal(used);
      used.add(voice);
      add('en', 'word', word, voice);
    }
  }
  for (const [key, words] of Object.entries(EVERYDAY)) for (const word of words) add(key, 'word', word, deck(key).deal());
  for (const [key, sentences] of Object.entries(SENTENCES)) for (const s of sentences) add(key, 'speech', s, deck(key).deal());

  for (const t of takes) {
    const hit = excludedWordIn(t.text) ?? excludedWordIn(t.say);
    if (hit !== null) throw new Error(`${t.file}: "${t.text}" says "${hit}", which is excluded (a command must never be other speech)`);
    // espeak-ng reads numerals aloud, in English for some voices; only pinyin tone numbers may appear.
    if (/\d/.test(t.text) || (/\d/.test(t.say) && !/^([a-z]+[1-5]\s*)+$/.test(t.say))) throw new Error(`${t.file}: "${t.say}" has numerals`);
  }
  return takes;
}

/** 16 kHz mono samples of a WAV file. */
async function readWav16k(path: string): Promise<Float32Array> {
  const wav = decodeWav(new Uint8Array(await readFile(path)));
  if (wav.sampleRate !== SAMPLE_RATE || wav.channels !== 1) throw new Error(`${path} is not 16 kHz mono`);
  return wav.samples;
}

/** The speech in `samples` (first to last sample above SILENCE_LEVEL) with PAD_SECONDS of silence each side. */
function trimSilence(samples: Float32Array): Float32Array {
  let first = 0;
  while (first < samples.length && Math.abs(samples[first]) <= SILENCE_LEVEL) first++;
  let last = samples.length - 1;
  while (last > first && Math.abs(samples[last]) <= SILENCE_LEVEL) last--;
  if (first >= samples.length) throw new Error('no speech');
  const pad = Math.round(PAD_SECONDS * SAMPLE_RATE);
  const out = new Float32Array(last - first + 1 + 2 * pad);
  // espeak-ng's own leading and trailing silence where there is enough, zeros where not.
  const from = Math.max(0, first - pad);
  const to = Math.min(samples.length, last + 1 + pad);
  out.set(samples.subarray(from, to), pad - (first - from));
  return out;
}

/** Synthesises one take: espeak-ng → sox (16 kHz mono 16-bit, no dither) → trimmed. */
async function synthesise(take: Take, tmp: string, index: number): Promise<Clip> {
  const english = take.voice.startsWith('en');
  const [min, max] = take.kind === 'word' ? [0, MAX_WORD_SECONDS] : SENTENCE_SECONDS;
  for (let attempt = 0, rate = take.rate; ; attempt++) {
    const raw = join(tmp, `raw-${index}.wav`);
    const wav16 = join(tmp, `16k-${index}.wav`);
    let phonemes: string;
    try {
      ({ stdout: phonemes } = await execFile('espeak-ng', ['-v', take.voice, '-s', String(rate), '-p', String(take.pitch), '-x', '-w', raw, '--', take.say]));
      await execFile('sox', ['-D', raw, '-r', String(SAMPLE_RATE), '-c', '1', '-b', '16', wav16]);
    } catch (err) {
      throw new Error(`could not synthesise ${take.file} ("${take.say}", voice ${take.voice}): ${(err as Error).message}`, { cause: err });
    }
    // A switch to English inside another language's text means espeak-ng did not know how to
    // read it (and English might be a digit or a command): refuse rather than ship it.
    if (!english && phonemes.includes('(en)')) throw new Error(`${take.file}: voice ${take.voice} switched to English reading "${take.say}": ${phonemes.trim()}`);
    const samples = trimSilence(await readWav16k(wav16));
    await rm(raw, { force: true });
    await rm(wav16, { force: true });
    const seconds = samples.length / SAMPLE_RATE;
    if (seconds >= min && seconds <= max) {
      return {
        item: { file: take.file, kind: take.kind, source: 'espeak-ng', speaker: take.voice, language: take.language, text: take.text },
        samples,
      };
    }
    if (attempt + 1 >= MAX_TRIES) throw new Error(`${take.file}: "${take.say}" lasts ${seconds.toFixed(2)} s at rate ${rate}, not ${min}–${max} s`);
    rate += seconds > max ? RATE_STEP : -RATE_STEP;
  }
}

/** Runs `jobs` with at most `concurrency` at a time; results in job order. */
async function pool<T>(count: number, concurrency: number, job: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      results[i] = await job(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}

/** Energy of each 20 ms frame, every 10 ms. */
function frameEnergies(samples: Float32Array): Float64Array {
  const n = Math.max(0, Math.floor((samples.length - FRAME) / HOP) + 1);
  const e = new Float64Array(n);
  for (let f = 0; f < n; f++) {
    let s = 0;
    for (let i = f * HOP; i < f * HOP + FRAME; i++) s += samples[i] * samples[i];
    e[f] = s;
  }
  return e;
}

/** The centre (sample) of the quietest frame whose centre is in [lo, hi] samples; the first of equals. */
function quietestBetween(energy: Float64Array, lo: number, hi: number): number {
  let best = -1;
  for (let f = 0; f < energy.length; f++) {
    const centre = f * HOP + FRAME / 2;
    if (centre < lo || centre > hi) continue;
    if (best < 0 || energy[f] < energy[best]) best = f;
  }
  return best < 0 ? Math.round((lo + hi) / 2) : best * HOP + FRAME / 2;
}

/**
 * One segment of a LibriSpeech utterance: a random target length and place, both ends moved
 * to the quietest 20 ms frame within CUT_SEARCH_SECONDS (a pause between words, if there is
 * one), kept within SEGMENT_MIN/MAX_SECONDS. An utterance shorter than that is taken whole.
 */
export function cutSegment(samples: Float32Array, rng: Random): Float32Array {
  const sec = (s: number): number => Math.round(s * SAMPLE_RATE);
  const energy = frameEnergies(samples);
  const target = sec(rng.uniform(SEGMENT_TARGET_SECONDS[0], SEGMENT_TARGET_SECONDS[1]));
  const search = sec(CUT_SEARCH_SECONDS);
  const startAt = rng.int(Math.max(1, samples.length - target - search));
  const start = quietestBetween(energy, Math.max(0, startAt - search), startAt + search);
  const lo = Math.max(start + sec(SEGMENT_MIN_SECONDS), start + target - search);
  const hi = Math.min(start + sec(SEGMENT_MAX_SECONDS), start + target + search, samples.length - FRAME / 2);
  let segment: Float32Array;
  if (lo <= hi) segment = samples.slice(start, quietestBetween(energy, lo, hi));
  else if (samples.length - start >= sec(SEGMENT_MIN_SECONDS)) segment = samples.slice(start, start + Math.min(samples.length - start, sec(SEGMENT_MAX_SECONDS)));
  else segment = samples.slice(0, Math.min(samples.length, sec(SEGMENT_MAX_SECONDS)));
  for (let i = 0; i < FADE_SAMPLES && i < segment.length; i++) {
    const g = i / FADE_SAMPLES;
    segment[i] *= g;
    segment[segment.length - 1 - i] *= g;
  }
  return segment;
}

/** The bundled LibriSpeech segments: one from each even-indexed file. */
async function librispeechClips(dir: string): Promise<Clip[]> {
  const found = (await readdir(dir)).filter((f) => f.endsWith('.wav')).sort();
  if (found.join('\n') !== LIBRISPEECH_FILES.join('\n')) {
    throw new Error(`${dir} does not hold exactly the 78 files of LIBRISPEECH_FILES: the even/odd rule would pick other files`);
  }
  const rng = new Random(SEED + 1);
  const clips: Clip[] = [];
  for (const file of LIBRISPEECH_FILES.filter(isBundledLibrispeech)) {
    const samples = cutSegment(await readWav16k(join(dir, file)), rng);
    const seconds = samples.length / SAMPLE_RATE;
    if (seconds < MIN_SPEECH_SECONDS || seconds > MAX_SPEECH_SECONDS) throw new Error(`${file}: a ${seconds.toFixed(2)} s segment is out of range`);
    clips.push({
      item: { file: `speech/librispeech-${file}`, kind: 'speech', source: 'librispeech', speaker: file.split('-')[0], language: 'en', text: '', origin: file },
      samples,
    });
  }
  return clips;
}

/** The espeak-ng and sox versions (the bytes depend on them), e.g. '1.51' and '14.4.2'. */
async function versions(): Promise<{ espeak: string; sox: string }> {
  const version = (s: string): string => /\d+(\.\d+)+/.exec(s)?.[0] ?? s.trim();
  const espeak = version((await execFile('espeak-ng', ['--version'])).stdout);
  const sox = version((await execFile('sox', ['--version'])).stdout);
  return { espeak, sox };
}

/** The voices espeak-ng has (its --voices listing's language column). */
async function installedVoices(): Promise<Set<string>> {
  const { stdout } = await execFile('espeak-ng', ['--voices']);
  return new Set(stdout.split('\n').slice(1).map((l) => l.trim().split(/\s+/)[1]).filter(Boolean));
}

/** One item per line: readable in a diff, and small. */
function manifestJson(manifest: Manifest): string {
  const items = manifest.items.map((item) => `    ${JSON.stringify(item)}`).join(',\n');
  return `{\n  "schemaVersion": ${manifest.schemaVersion},\n  "sampleRate": ${manifest.sampleRate},\n  "items": [\n${items}\n  ]\n}\n`;
}

const LANGUAGE_NAMES: Record<string, string> = {
  en: 'English', de: 'German', fr: 'French', es: 'Spanish', it: 'Italian', pt: 'Portuguese', nl: 'Dutch', pl: 'Polish',
  sv: 'Swedish', tr: 'Turkish', ru: 'Russian', hi: 'Hindi', ar: 'Arabic', zh: 'Mandarin Chinese',
};

function readme(clips: readonly Clip[], totalBytes: number, tools: { espeak: string; sox: string }): string {
  const secondsOf = (cs: readonly Clip[]): number => cs.reduce((s, c) => s + c.samples.length, 0) / SAMPLE_RATE;
  const fmt = (s: number): string => `${s.toFixed(1)} s`;
  const words = clips.filter((c) => c.item.kind === 'word');
  const real = clips.filter((c) => c.item.source === 'librispeech');
  const sentences = clips.filter((c) => c.item.kind === 'speech' && c.item.source === 'espeak-ng');
  const synth = clips.filter((c) => c.item.source === 'espeak-ng');
  const languages = [...new Set(clips.map((c) => c.item.language))].sort();
  const perLanguage = languages.map((code) => {
    const w = words.filter((c) => c.item.language === code).length;
    const s = clips.filter((c) => c.item.kind === 'speech' && c.item.language === code).length;
    return `| ${LANGUAGE_NAMES[code] ?? code} (\`${code}\`) | ${w} | ${s} |`;
  });
  const baseVoices = [...new Set(synth.map((c) => c.item.speaker.split('+')[0]))].sort();
  const voices = new Set(synth.map((c) => c.item.speaker)).size;
  const range = (cs: readonly Clip[]): string => {
    const d = cs.map((c) => c.samples.length / SAMPLE_RATE);
    return `${Math.min(...d).toFixed(2)}–${Math.max(...d).toFixed(2)} s`;
  };
  return `# Other speech

Speech that is **none of a user's commands**, bundled with Hark and mixed into every training run
as the \`_unknown_\` class ("things that are not your commands"). A person records a few takes of
each of their command words and nothing else; a model trained on that alone has never heard
other speech and fires again and again while people talk. This set teaches it what to ignore:
isolated words (many of them sounding close to typical commands) and continuous speech, in many
voices and languages. Read by \`app/node/other-speech.ts\`.

Made by \`scripts/make-other-speech.ts\`; rebuild with

    npm run make:other-speech

(it deletes this folder and writes it again, this README included). It needs espeak-ng, sox and
the shared LibriSpeech folder (\`--librispeech <dir>\`, default \`../shared/data/librispeech-78\`, next to the repository).
Every choice (voices, speaking rates, pitches, where speech is cut) comes from seeded
pseudo-random numbers, so the same espeak-ng and sox versions give the same bytes. This copy
was made with espeak-ng ${tools.espeak} and SoX ${tools.sox}.

## Contents

${clips.length} files, ${fmt(secondsOf(clips))} of audio, ${(totalBytes / 1e6).toFixed(2)} MB (the app allows 20 MB; the script refuses more than ${MAX_BYTES / 1e6} MB).
All WAV, ${SAMPLE_RATE / 1000} kHz, mono, 16-bit PCM.

| | files | seconds | lengths |
|---|---:|---:|---|
| \`words/\`: isolated words, espeak-ng | ${words.length} | ${fmt(secondsOf(words))} | ${range(words)} |
| \`speech/\`: real continuous speech, LibriSpeech | ${real.length} | ${fmt(secondsOf(real))} | ${range(real)} |
| \`speech/\`: sentences, espeak-ng | ${sentences.length} | ${fmt(secondsOf(sentences))} | ${range(sentences)} |

- **Words** (\`kind: "word"\`): one word or very short phrase, trimmed to the speech with
  ${PAD_SECONDS} s of silence each side, at most ${MAX_WORD_SECONDS} s. ${NEAR_MISSES.length} English words that sound close to
  typical commands (yet, yeah, now, so, shop, top, cup, town, lift, light, in, of, …), each said
  by ${NEAR_MISS_TAKES} voices; everyday words of each language (greetings, household words, a number other
  than the English digits, function words, names; in English also words close to the digits:
  hero, free, fine, late, mine, …), each said once. Speaking rates ${RATES[0]}–${RATES[1]} words a minute, pitches ${PITCHES[0]}–${PITCHES[1]}. The manifest's
  \`text\` is what is said (Mandarin in characters; it was synthesised from pinyin).
- **Real speech** (\`kind: "speech"\`, \`source: "librispeech"\`): one segment of ${SEGMENT_MIN_SECONDS}–${SEGMENT_MAX_SECONDS} s from each of ${real.length}
  people reading aloud (US English), cut at the quietest 20 ms frame near the wanted length (a
  pause between words where there is one) with a 10 ms fade at each cut. \`speaker\` is the
  LibriSpeech speaker id, \`origin\` the source file; the text is not known (\`""\`). An
  utterance shorter than ${SEGMENT_MIN_SECONDS} s is taken whole.
- **Sentences** (\`kind: "speech"\`, \`source: "espeak-ng"\`): everyday sentences in each language,
  trimmed like the words. Training cuts random 1 s windows from the continuous speech; a quarter of the set (by what is said, or by position where that is not known) is kept out of training to calibrate each word's threshold on (\`core/kws/recipe.ts\`, \`splitOtherSpeech\`).

| language | words | continuous speech |
|---|---:|---:|
${perLanguage.join('\n')}

espeak-ng voices: ${baseVoices.map((v) => `\`${v}\``).join(', ')}, each with its variants
(\`+m1\`–\`+m7\`, \`+f1\`–\`+f5\`, or none): ${voices} voice–variant pairs in all.
The manifest's \`speaker\` is the voice as given to espeak-ng (e.g. \`en-gb-scotland+f2\`).

## What is never in it

- **Commands.** No synthesised text says any word of the script's \`EXCLUDED_WORDS\`: Speech
  Commands' whole vocabulary (yes no up down left right on off stop go, the digits zero–nine,
  and its other words such as bed, cat, house, marvin), the English glosses of the Arabic Speech
  Commands words (cancel, enter, previous, zoom in, …), a few Arabic forms of those, and words
  that sound the same (know, write, won, to, too, for, ate, okay, German nein). Users pick these
  as commands, and a command must never be taught as "not a command"; the script throws if one
  is generated, and the test checks the manifest. The real speech is read text, so it does say
  common words like "on" or "no" in passing.
- **Held-out speech.** Of the 78 LibriSpeech utterances (file names sorted by character code,
  as \`LC_ALL=C ls\`; the list is \`LIBRISPEECH_FILES\` in the script), only those at
  **even** indices (0, 2, 4, …) are used; the odd ones are kept back to evaluate the product
  and must never be in this set (\`isBundledLibrispeech\`, checked by the test).

## Sources and licences

- **LibriSpeech**: Vassil Panayotov, Guoguo Chen, Daniel Povey, Sanjeev Khudanpur,
  "LibriSpeech: an ASR corpus based on public domain audio books", ICASSP 2015. The
  train-clean-100 utterances as committed in the repository resemble-ai/Resemblyzer (commit
  15d828e, folder audio_data). Licence: Creative Commons Attribution 4.0 International
  (https://creativecommons.org/licenses/by/4.0/); the LibriVox recordings themselves are in the
  public domain. The files here are excerpts (cut, faded at the cuts); anything copied from
  here keeps this attribution.
- **espeak-ng**: the words and sentences were generated by espeak-ng
  (https://github.com/espeak-ng/espeak-ng), a GPL-3.0 program, and converted with SoX. The
  licence covers the program, not what it says: its audio output is ours to ship. The texts
  were written for this set.
`;
}

export interface MakeOtherSpeechOptions {
  out?: string;
  librispeech?: string;
  /** Parallel espeak-ng/sox jobs (default 2: the machines this runs on are shared). */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

export async function makeOtherSpeech(options: MakeOtherSpeechOptions = {}): Promise<{ manifest: Manifest; bytes: number; readme: string }> {
  const out = resolve(options.out ?? DEFAULT_OUT);
  const takes = planTakes();
  const installed = await installedVoices();
  for (const lang of Object.values(LANGUAGES)) {
    for (const v of lang.voices) if (!installed.has(v)) throw new Error(`espeak-ng has no voice ${v}`);
  }
  const real = await librispeechClips(resolve(options.librispeech ?? DEFAULT_LIBRISPEECH));

  const tmp = await mkdtemp(join(tmpdir(), 'hark-other-speech-'));
  let done = 0;
  let synth: Clip[];
  try {
    synth = await pool(takes.length, options.concurrency ?? 2, async (i) => {
      const clip = await synthesise(takes[i], tmp, i);
      options.onProgress?.(++done, takes.length);
      return clip;
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }

  // Everything is made in memory first: a failure above leaves the old folder as it was.
  const clips = [...real, ...synth].sort((a, b) => (a.item.file < b.item.file ? -1 : a.item.file > b.item.file ? 1 : 0));
  if (new Set(clips.map((c) => c.item.file)).size !== clips.length) throw new Error('two items share a file name');
  const manifest: Manifest = { schemaVersion: 1, sampleRate: SAMPLE_RATE, items: clips.map((c) => c.item) };
  const wavs = clips.map((c) => encodeWav(c.samples, SAMPLE_RATE));
  const json = manifestJson(manifest);
  const audioBytes = wavs.reduce((s, w) => s + w.length, 0) + Buffer.byteLength(json);
  // The README states the total, its own size included: from a draft, to the 10 kB it shows.
  const tools = await versions();
  const text = readme(clips, audioBytes + Buffer.byteLength(readme(clips, audioBytes, tools)), tools);
  const bytes = audioBytes + Buffer.byteLength(text);
  if (bytes > MAX_BYTES) {
    const seconds = (kind: string, source: string): string =>
      (clips.filter((c) => c.item.kind === kind && c.item.source === source).reduce((s, c) => s + c.samples.length, 0) / SAMPLE_RATE).toFixed(1);
    throw new Error(`the set would be ${bytes} bytes, over the budget of ${MAX_BYTES} (seconds: words ${seconds('word', 'espeak-ng')}, ` +
      `LibriSpeech ${seconds('speech', 'librispeech')}, sentences ${seconds('speech', 'espeak-ng')})`);
  }

  await rm(out, { recursive: true, force: true });
  await mkdir(join(out, 'words'), { recursive: true });
  await mkdir(join(out, 'speech'), { recursive: true });
  for (const [i, c] of clips.entries()) await writeFile(join(out, c.item.file), wavs[i]);
  await writeFile(join(out, 'manifest.json'), json);
  await writeFile(join(out, 'README.md'), text);
  return { manifest, bytes, readme: text };
}

function parseArgs(argv: string[]): MakeOtherSpeechOptions {
  const opts: MakeOtherSpeechOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') opts.out = argv[++i];
    else if (a === '--librispeech') opts.librispeech = argv[++i];
    else throw new Error(`unknown argument ${a}; usage: npm run make:other-speech [-- --out <dir>] [--librispeech <dir>]`);
  }
  return opts;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  try {
    const started = Date.now();
    const { manifest, bytes } = await makeOtherSpeech({
      ...parseArgs(process.argv.slice(2)),
      onProgress: (d, total) => { if (d % 25 === 0 || d === total) process.stdout.write(`\r${d}/${total} synthesised`); },
    });
    process.stdout.write('\n');
    const words = manifest.items.filter((i) => i.kind === 'word').length;
    console.log(`wrote ${words} words and ${manifest.items.length - words} speech items (${(bytes / 1e6).toFixed(2)} MB) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (err) {
    console.error((err as Error).message);
    process.exitCode = 1;
  }
}
