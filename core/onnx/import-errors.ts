// The error every stage of importOnnx (./import.ts) throws when it refuses a file, and the
// two ways the stages throw it.

import { HarkError } from '../errors.js';

/**
 * A file importOnnx refuses. `message` says why in words a user can read; `detail` keeps the
 * particulars a developer needs (for a file that is not ONNX at all: which protobuf field,
 * at which byte), and is the message itself when it says everything.
 */
export class OnnxImportError extends HarkError {
  readonly detail: string;
  constructor(code: string, message: string, options?: { cause?: unknown; detail?: string }) {
    super(code, message, options);
    this.detail = options?.detail ?? message;
  }
}

/** Why bytes that do not decode as ONNX are refused, in plain words (the protobuf particulars go in `detail`). */
export const NOT_ONNX = 'it is another kind of file, or an ONNX file that is cut short or damaged';

/** Refuses the file with a code and a message that says everything. */
export const fail = (code: string, message: string): never => { throw new OnnxImportError(code, message); };

/** Bytes that are not protobuf as ONNX writes it: the plain reason, with the particulars as detail. */
export const malformed = (detail: string): never => { throw new OnnxImportError('not-onnx', NOT_ONNX, { detail }); };
