// Entry of one data-parallel training thread (see training-threads.ts).
import { workerData } from 'node:worker_threads';
import { runGradientWorker, type GradientWorkerInit } from '../../core/train/data-parallel.js';

const { init, index } = workerData as { init: GradientWorkerInit; index: number };
runGradientWorker(init, index);
