export * from './vec.js';
export * from './matmul.js';
export * from './activations.js';
export * from './random.js';
