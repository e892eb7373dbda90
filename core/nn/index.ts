export * from './layer.js';
export * from './lstm.js';
export * from './gru.js';
export * from './create-layer.js';
export * from './dense.js';
export * from './dropout.js';
export * from './loss.js';
export * from './classifier.js';
