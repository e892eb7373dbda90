// The only renderer module that touches `window.hark` (ESLint enforces it). It checks the
// shape instead of trusting it and returns null without a preload (plain browser, tests),
// so the UI can say so rather than crash.

import { HARK_API_KEY, isHarkApi, type HarkApi } from '../../app/shared/api.js';

export function getHarkApi(): HarkApi | null {
  const candidate: unknown = (window as unknown as Record<string, unknown>)[HARK_API_KEY];
  return isHarkApi(candidate) ? candidate : null;
}
