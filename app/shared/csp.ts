// The renderer's Content-Security-Policy, in one place. The main process sends it as a
// header on every response of the app protocol (app/node/app-protocol.ts); renderer/index.html
// carries the meta variant (a test keeps the two in step); `electron-vite dev` swaps the
// meta for the dev variant (electron.vite.config.ts).
//
// Pure: no Node, no DOM, no Electron.

export interface CspOptions {
  /**
   * 'header' (default) or 'meta'. Browsers ignore `frame-ancestors` in a meta element and
   * log an error for it, so the meta variant leaves it out.
   */
  delivery?: 'header' | 'meta';
  /**
   * The Vite dev server injects component styles as inline <style> elements, so the dev
   * variant allows inline styles. Never for a build.
   */
  dev?: boolean;
  /**
   * Extra connect-src sources: the browser host (app/host/serve.ts) adds its own
   * WebSocket URL, e.g. `ws://127.0.0.1:5123`, because not every browser lets 'self'
   * cover ws: URLs. Each must be a ws:// URL on a loopback host.
   */
  connect?: readonly string[];
}

const LOOPBACK_WS = /^ws:\/\/(127\.0\.0\.1|\[::1\]|localhost):\d{1,5}$/;

/** The directives, in the order they are written out. */
export function cspDirectives(options: CspOptions = {}): ReadonlyArray<readonly [string, readonly string[]]> {
  const connect = options.connect ?? [];
  for (const source of connect) {
    if (!LOOPBACK_WS.test(source)) throw new Error(`connect-src may only add loopback ws:// origins, not ${JSON.stringify(source)}`);
  }
  const directives: Array<readonly [string, readonly string[]]> = [
    ['default-src', ["'self'"]],
    // 'wasm-unsafe-eval' lets the page compile WebAssembly and nothing else (no eval, no
    // Function, no inline script): core's resampler runs its inner product in a WebAssembly
    // SIMD kernel on the live capture path (~5x its JS loop; see core/audio/resample.ts).
    ['script-src', ["'self'", "'wasm-unsafe-eval'"]],
    ['style-src', options.dev ? ["'self'", "'unsafe-inline'"] : ["'self'"]],
    ['img-src', ["'self'", 'data:']],
    ['font-src', ["'self'"]],
    ['connect-src', ["'self'", ...connect]],
    ['worker-src', ["'self'"]],
    ['object-src', ["'none'"]],
    ['frame-src', ["'none'"]],
    ['base-uri', ["'none'"]],
    ['form-action', ["'none'"]],
  ];
  if ((options.delivery ?? 'header') === 'header') directives.push(['frame-ancestors', ["'none'"]]);
  return directives;
}

/** The policy as the value of a Content-Security-Policy header or meta element. */
export function contentSecurityPolicy(options: CspOptions = {}): string {
  return cspDirectives(options)
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ');
}
