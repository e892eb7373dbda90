// Hark's pure TypeScript library: runs unchanged in Node, the browser and workers.
export * from './errors.js';
export * from './tensor/index.js';
export * from './nn/index.js';
export * from './train/index.js';
