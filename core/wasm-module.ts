// Compiling the project's WebAssembly kernels (built into base64 modules by
// scripts/build-wasm.ts), the same way in Node, browsers and workers. Every caller has a
// JS path with the same results and uses it when this returns null: no WebAssembly, no
// SIMD, or a page whose CSP forbids compiling (the app's allows it: 'wasm-unsafe-eval').
// Compilation is synchronous, which Chromium allows on a page's main thread only for
// modules under 4 KB: fir is ~130 bytes, gemm ~1.7 KB (and gemm runs in Node only).

export interface WasmInstance {
  exports: unknown;
}

interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => WasmInstance;
}

/** A compiled module, and a way to instantiate it (each instance with its own memory). */
export interface WasmModule {
  instantiate(): WasmInstance;
}

export function compileWasm(base64: string): WasmModule | null {
  try {
    const wasm = (globalThis as unknown as { WebAssembly?: WebAssemblyApi }).WebAssembly;
    if (!wasm) return null;
    const module = new wasm.Module(decodeBase64(base64));
    return { instantiate: () => new wasm.Instance(module, {}) };
  } catch {
    return null;
  }
}

function decodeBase64(text: string): Uint8Array {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const clean = text.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0, value = 0, o = 0;
  for (let i = 0; i < clean.length; i++) {
    value = (value << 6) | alphabet.indexOf(clean[i]);
    bits += 6;
    if (bits >= 8) { bits -= 8; out[o++] = (value >> bits) & 0xff; }
  }
  return out;
}
