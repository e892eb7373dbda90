export * from './adamw.js';
export * from './clip.js';
export * from './schedule.js';
export * from './dataset.js';
export * from './trainer.js';
export * from './checkpoint.js';
export * from './data-parallel.js';
