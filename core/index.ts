// Hark's pure TypeScript library: runs unchanged in Node, the browser and workers.
export * from './errors.js';
export * from './tensor/index.js';
export * from './nn/index.js';
export * from './train/index.js';
export * from './onnx/export.js';
export * from './onnx/import.js';
export * from './inference/engine.js';
export * from './audio/wav.js';
export * from './audio/resample.js';
export * from './audio/endpoint.js';
export * from './audio/augment.js';
export * from './features/config.js';
export * from './features/mfcc.js';
export * from './features/normalize.js';
export * from './features/spec-augment.js';
