// The largest model file Hark reads (a .hark or an .onnx): the import's own limit, and the
// protocol's for a file handed over from the page. Without dependencies, so the renderer's
// side of the protocol can use it without pulling in the ONNX schema.

/** 64 MiB: the default model is about 100 KiB and a 1024-unit LSTM layer about 17 MB; a larger file is no keyword model Hark could run live. */
export const MAX_MODEL_BYTES = 64 * 1024 * 1024;
