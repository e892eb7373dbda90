// SpectrogramImage: push() keeps frames without drawing; render() draws what was pushed
// since the last render (scrolling once), so rendering after every block or once after a
// long hidden spell gives the same picture of the latest frames.
import { describe, expect, it } from 'vitest';
import { SpectrogramImage } from '../../renderer/src/components/listen/spectrogram-image.js';

const ROWS = 3, FEATURES = 5, COLUMNS = 8;

/** `count` frames of FEATURES values from frame number `first`: row r of frame f is ((f·7 + r·3) mod 11) / 10; the rest NaN (never shown). */
function frames(first: number, count: number): Float32Array {
  const out = new Float32Array(count * FEATURES).fill(Number.NaN);
  for (let f = 0; f < count; f++) for (let r = 0; r < ROWS; r++) out[f * FEATURES + r] = (((first + f) * 7 + r * 3) % 11) / 10;
  return out;
}

/** The RGBA of column x, row r (r = 0 is the bottom row, the first coefficient). */
const pixel = (image: SpectrogramImage, x: number, r: number): number[] => {
  const o = ((ROWS - 1 - r) * COLUMNS + x) * 4;
  return [...image.pixels.subarray(o, o + 4)];
};
const black = [0, 0, 0, 255];

describe('SpectrogramImage', () => {
  it('draws nothing until rendered, then the latest frames however many were pushed', () => {
    const many = new SpectrogramImage(COLUMNS, ROWS);
    const before = [...many.pixels];
    for (let f = 0; f < 1000; f += 10) many.push(frames(f, 10), 10, FEATURES);
    expect([...many.pixels]).toEqual(before);
    expect(many.render()).toBe(true);
    expect(many.render()).toBe(false); // nothing new

    // The same last COLUMNS frames alone, with the same ranges (every value of 0..1 was seen).
    const few = new SpectrogramImage(COLUMNS, ROWS);
    few.push(frames(0, 11), 11, FEATURES);
    few.push(frames(1000 - COLUMNS, COLUMNS), COLUMNS, FEATURES);
    few.render();
    expect([...many.pixels]).toEqual([...few.pixels]);
    expect(pixel(many, 0, 0)).not.toEqual(black);
  });

  it('gives the same picture rendered after every block as rendered once at the end', () => {
    const often = new SpectrogramImage(COLUMNS, ROWS), once = new SpectrogramImage(COLUMNS, ROWS);
    for (const image of [often, once]) image.push(frames(0, 11), 11, FEATURES); // every value: fixed ranges
    often.render();
    for (let f = 11; f < 40; f += 3) {
      for (const image of [often, once]) image.push(frames(f, 3), 3, FEATURES);
      often.render();
    }
    once.render();
    expect([...often.pixels]).toEqual([...once.pixels]);
  });

  it('scrolls older columns left, newest on the right, lowest coefficient at the bottom', () => {
    const image = new SpectrogramImage(COLUMNS, ROWS);
    image.push(Float32Array.of(0, 0, 1, 9, 9, 1, 1, 0, 9, 9), 2, FEATURES);
    image.render();
    // Row 0: 0 then 1 (range 0..1): dark, then bright; row 2: 1 then 0.
    expect(pixel(image, COLUMNS - 2, 0)).toEqual(pixel(image, COLUMNS - 1, 2));
    expect(pixel(image, COLUMNS - 1, 0)).toEqual(pixel(image, COLUMNS - 2, 2));
    expect(pixel(image, COLUMNS - 1, 0)).not.toEqual(pixel(image, COLUMNS - 2, 0));
    expect(pixel(image, COLUMNS - 3, 0)).toEqual(black); // nothing there yet
    image.push(Float32Array.of(0, 0, 0, 9, 9), 1, FEATURES);
    image.render();
    // The first frame moved one column left: row 0 dark (0) as the new frame's, row 2 bright (1).
    const dark = pixel(image, COLUMNS - 1, 0), bright = pixel(image, COLUMNS - 2, 0);
    expect(pixel(image, COLUMNS - 3, 0)).toEqual(dark);
    expect(pixel(image, COLUMNS - 3, 2)).toEqual(bright);
    expect(pixel(image, COLUMNS - 4, 0)).toEqual(black);
  });

  it('clears to black and forgets what was pushed', () => {
    const image = new SpectrogramImage(COLUMNS, ROWS);
    image.push(frames(0, 20), 20, FEATURES);
    image.render();
    image.push(frames(20, 5), 5, FEATURES);
    image.clear();
    expect(image.render()).toBe(false);
    for (let x = 0; x < COLUMNS; x++) for (let r = 0; r < ROWS; r++) expect(pixel(image, x, r)).toEqual(black);
  });

  it('refuses a size that is not one, and frames too short for its rows', () => {
    for (const [c, r] of [[0, 3], [3, 0], [2.5, 3], [Number.NaN, 3]]) expect(() => new SpectrogramImage(c, r)).toThrow(RangeError);
    expect(() => new SpectrogramImage(COLUMNS, ROWS).push(new Float32Array(4), 2, 2)).toThrow(RangeError);
  });
});
