// The first stage of importOnnx (./import.ts): a walk over the protobuf wire format of a
// user's file before onnx-proto decodes it, so that decoding cannot be made to exhaust the
// stack, build millions of objects or read the bytes differently from this walk.

import { fail, malformed } from './import-errors.js';

/** Nesting and object bounds of the wire walk; a Hark file nests 7 deep and holds a few hundred objects. */
const MAX_DEPTH = 32;
const MAX_OBJECTS = 1 << 18;

// The ONNX 1.10 schema as onnx-proto decodes it, for the wire walk: per message, its fields'
// kinds — another message, or v a 64-bit varint, i a 32-bit one, s a string or bytes, f a
// float, d a double; V, I, F, D repeated (packed or not).
const SCHEMA: Record<string, Record<number, string>> = {
  Model: { 1: 'v', 2: 's', 3: 's', 4: 's', 5: 'v', 6: 's', 7: 'Graph', 8: 'OpsetId', 14: 'Entry', 20: 'TrainingInfo', 25: 'Function' },
  OpsetId: { 1: 's', 2: 'v' },
  Entry: { 1: 's', 2: 's' },
  TrainingInfo: { 1: 'Graph', 2: 'Graph', 3: 'Entry', 4: 'Entry' },
  Function: { 1: 's', 4: 's', 5: 's', 6: 's', 7: 'Node', 8: 's', 9: 'OpsetId', 10: 's' },
  Graph: { 1: 'Node', 2: 's', 5: 'Tensor', 10: 's', 11: 'ValueInfo', 12: 'ValueInfo', 13: 'ValueInfo', 14: 'Annotation', 15: 'Sparse' },
  Node: { 1: 's', 2: 's', 3: 's', 4: 's', 5: 'Attribute', 6: 's', 7: 's' },
  Attribute: { 1: 's', 2: 'f', 3: 'v', 4: 's', 5: 'Tensor', 6: 'Graph', 7: 'F', 8: 'V', 9: 's', 10: 'Tensor', 11: 'Graph', 13: 's', 14: 'Type', 15: 'Type', 20: 'i', 21: 's', 22: 'Sparse', 23: 'Sparse' },
  Annotation: { 1: 's', 2: 'Entry' },
  ValueInfo: { 1: 's', 2: 'Type', 3: 's' },
  Tensor: { 1: 'V', 2: 'i', 3: 'Segment', 4: 'F', 5: 'I', 6: 's', 7: 'V', 8: 's', 9: 's', 10: 'D', 11: 'V', 12: 's', 13: 'Entry', 14: 'i' },
  Segment: { 1: 'v', 2: 'v' },
  Sparse: { 1: 'Tensor', 2: 'Tensor', 3: 'V' },
  Type: { 1: 'TypeTensor', 4: 'TypeElement', 5: 'TypeMap', 6: 's', 8: 'TypeTensor', 9: 'TypeElement' },
  TypeTensor: { 1: 'i', 2: 'Shape' },
  TypeElement: { 1: 'Type' },
  TypeMap: { 1: 'i', 2: 'Type' },
  Shape: { 1: 'Dim' },
  Dim: { 1: 'v', 2: 's', 3: 's' },
};
const WIRE: Record<string, number> = { v: 0, i: 0, f: 5, d: 1, s: 2 };

/**
 * Walks the protobuf wire format as onnx-proto's decoder will read it, without recursion and
 * without building anything, and refuses what would hurt that decoder: nesting deep enough
 * to exhaust its stack, more objects than a classifier needs (every 2 bytes of a hostile
 * file can become an empty message, a string or a Long), and anything it would read
 * differently from the bytes — a known field of the wrong wire type, a length or varint
 * running past its message, groups.
 */
export function checkWire(bytes: Uint8Array): void {
  const stack: { type: string; end: number }[] = [{ type: 'Model', end: bytes.length }];
  let pos = 0;
  let objects = 1;
  const count = (n: number) => {
    objects += n;
    if (objects > MAX_OBJECTS) fail('too-large', `the file holds more than ${MAX_OBJECTS} messages, names and integers`);
  };
  // A varint from pos, within end: its value (exact below 2^53) and where it ends. uint32
  // reads (tags, lengths, 32-bit fields) take at most 5 bytes, or skip to 10.
  const varint = (end: number, what: string, uint32 = false): [number, number] => {
    let value = 0;
    for (let i = 0, scale = 1; i < 10; i++, scale *= 128) {
      if (pos + i >= end) break;
      const byte = bytes[pos + i];
      value += (byte & 127) * scale;
      if (byte < 128) return [value, pos + i + 1];
      if (uint32 && i === 4) return [value, pos + 10 <= end ? pos + 10 : malformed(`${what} at byte ${pos} runs past its end (truncated?)`)];
    }
    return malformed(`${what} at byte ${pos} is not a valid varint or runs past its end (truncated?)`);
  };
  while (stack.length > 0) {
    const { type, end } = stack[stack.length - 1];
    if (pos === end) { stack.pop(); continue; }
    const [tag, afterTag] = varint(end, `a field tag in ${type}Proto`);
    if (afterTag - pos > 5 || tag > 0xffffffff) malformed(`the field tag at byte ${pos} is longer than 32 bits`);
    if (tag >>> 3 === 0) malformed(`field number 0 at byte ${pos} is not valid protobuf`);
    pos = afterTag;
    const field = tag >>> 3, wire = tag & 7;
    const kind = SCHEMA[type][field] as string | undefined;
    const where = `field ${field} of ${type}Proto`;
    const length = (): number => {
      const [n, after] = varint(end, `the length of ${where}`);
      if (after - pos > 5) malformed(`the length of ${where} at byte ${pos} is malformed`);
      pos = after;
      if (n > end - pos) malformed(`${where} at byte ${pos} runs past the end of its message (truncated?)`);
      return n;
    };
    if (kind === undefined) {
      // An unknown field, which the decoder skips.
      if (wire === 0) pos = varint(end, where)[1];
      else if (wire === 1 || wire === 5) { if (end - pos < (wire === 1 ? 8 : 4)) malformed(`${where} runs past its end (truncated?)`); pos += wire === 1 ? 8 : 4; }
      else if (wire === 2) { const n = length(); pos += n; }
      else malformed(`${where} has wire type ${wire} (groups or invalid), which ONNX never uses`);
      continue;
    }
    if (kind in SCHEMA) {
      if (wire !== 2) malformed(`${where} has wire type ${wire}; a message has 2`);
      const n = length();
      if (stack.length >= MAX_DEPTH) fail('too-large', `the file nests messages more than ${MAX_DEPTH} deep`);
      count(1);
      stack.push({ type: kind, end: pos + n });
      continue;
    }
    const scalar = kind.toLowerCase();
    if (kind !== scalar && wire === 2) {
      // A packed run of scalars, which must end exactly at its length.
      const n = length(), runEnd = pos + n;
      if (scalar === 'f' || scalar === 'd') {
        if (n % (scalar === 'f' ? 4 : 8) !== 0) malformed(`${where} packs ${n} bytes, not whole ${scalar === 'f' ? 'floats' : 'doubles'}`);
        pos = runEnd;
      } else {
        while (pos < runEnd) { pos = varint(runEnd, where, scalar === 'i')[1]; count(1); }
      }
      continue;
    }
    if (wire !== WIRE[scalar]) malformed(`${where} has wire type ${wire}; its schema says ${WIRE[scalar]}`);
    if (scalar === 's') { const n = length(); pos += n; count(1); }
    else if (scalar === 'v' || scalar === 'i') { pos = varint(end, where, scalar === 'i')[1]; count(1); }
    else { const n = scalar === 'f' ? 4 : 8; if (end - pos < n) malformed(`${where} runs past its end (truncated?)`); pos += n; }
  }
}
