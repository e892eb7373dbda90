// The few host facilities core/ uses that every runtime it targets (Node, browsers,
// Web and Node workers, Electron's utility process) provides identically. Declared here
// instead of pulling in the DOM or Node type libraries, which would let DOM- or
// Node-only APIs slip into core unnoticed.
declare function setTimeout(callback: () => void, ms?: number): unknown;
declare const performance: { now(): number };
declare class TextEncoder { encode(input?: string): Uint8Array }
declare class TextDecoder { constructor(label?: string, options?: { fatal?: boolean }); decode(input?: ArrayBufferView | ArrayBuffer): string }
