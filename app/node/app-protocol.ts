// The app protocol: the renderer is served from hark://app/ out of the built renderer
// folder, never from file:// (Electron security checklist: custom protocol instead of
// file://, so the page gets a real origin and file:// privileges stay off).
//
// Shared by both hosts, so no Electron import here: app/main/index.ts registers the scheme
// and hands the handler to protocol.handle; the browser host (app/host/serve.ts) serves the
// same files through it; tests call the handler with plain Request objects.

import path from 'node:path';
import { readFile, realpath } from 'node:fs/promises';
import { contentSecurityPolicy } from '../shared/csp.js';

export const APP_SCHEME = 'hark';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * Privileges for protocol.registerSchemesAsPrivileged. `standard` gives the scheme real
 * origins (relative URLs, 'self' in CSP, storage); `secure` makes it a secure context,
 * which getUserMedia needs. Deliberately not: bypassCSP, corsEnabled,
 * allowServiceWorkers, stream.
 */
export const APP_SCHEME_PRIVILEGES = Object.freeze({
  standard: true,
  secure: true,
  supportFetchAPI: true,
});

/** The parts of node:path this module uses; tests pass path.win32 to check Windows rules. */
export type PathApi = Pick<typeof path, 'isAbsolute' | 'relative' | 'resolve' | 'sep'>;

// A `..` segment written plainly or percent-encoded, between any kind of separator.
const DOT_DOT_SEGMENT = /(?:^|\/|\\|%2f|%5c)(?:\.|%2e){2}(?:$|\/|\\|%2f|%5c|\?|#)/i;
// Characters no file of a Vite build has and that mean something to some file system:
// backslash (Windows separator), colon (drive letters, NTFS streams), percent (left after
// one decoding, so double encoding), NUL and other control characters.
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CHARS = /[\\:%\u0000-\u001f\u007f]/;

/** True when `child` is `root` itself or below it (both absolute and resolved). */
export function isInsideRoot(root: string, child: string, p: PathApi = path): boolean {
  const relative = p.relative(root, child);
  if (relative === '') return true;
  if (p.isAbsolute(relative)) return false;
  return relative !== '..' && !relative.startsWith(`..${p.sep}`);
}

/**
 * The file inside `root` that an app-protocol URL names, or null when the URL is not ours
 * or tries to leave `root` (`..` in any encoding, absolute or drive paths, backslashes,
 * double encoding). `hark://app/` names index.html. Query and fragment are ignored.
 */
export function resolveAppPath(root: string, requestUrl: string, p: PathApi = path): string | null {
  if (DOT_DOT_SEGMENT.test(requestUrl)) return null;
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return null;
  if (url.username !== '' || url.password !== '') return null;

  let relative: string;
  try {
    relative = decodeURIComponent(url.pathname.replace(/^\//, ''));
  } catch {
    return null; // malformed percent-encoding
  }
  if (relative === '') relative = 'index.html';
  if (FORBIDDEN_CHARS.test(relative)) return null;
  if (relative.startsWith('/') || p.isAbsolute(relative)) return null;
  const segments = relative.split('/');
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) return null;

  const resolvedRoot = p.resolve(root);
  const file = p.resolve(resolvedRoot, ...segments);
  if (file === resolvedRoot || !isInsideRoot(resolvedRoot, file, p)) return null;
  return file;
}

const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.wav': 'audio/wav',
  '.txt': 'text/plain; charset=utf-8',
};

/** Content-Type for a file name; module scripts are refused without a JavaScript type. */
export function mimeTypeFor(fileName: string): string {
  return MIME_TYPES[path.extname(fileName).toLowerCase()] ?? 'application/octet-stream';
}

/** Headers every app-protocol response carries. */
export function securityHeaders(csp: string): Record<string, string> {
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Referrer-Policy': 'no-referrer',
  };
}

export interface AppProtocolOptions {
  /** Defaults to the shared policy for header delivery. */
  readonly csp?: string;
}

/**
 * The handler for protocol.handle(APP_SCHEME, ...): serves files below `root` (the built
 * renderer folder), GET and HEAD only; anything refused or missing is a 404.
 */
export function createAppProtocolHandler(root: string, options: AppProtocolOptions = {}): (request: Request) => Promise<Response> {
  const headers = securityHeaders(options.csp ?? contentSecurityPolicy());
  const refuse = (status: number): Response =>
    new Response(null, { status, headers: { ...headers, 'Content-Type': 'text/plain; charset=utf-8' } });
  let realRoot: Promise<string> | undefined;

  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(405);
    const file = resolveAppPath(root, request.url);
    if (file === null) return refuse(404);
    let body: Uint8Array;
    try {
      // A symlink inside the folder must not lead out of it.
      realRoot ??= realpath(root);
      if (!isInsideRoot(await realRoot, await realpath(file))) return refuse(404);
      body = new Uint8Array(await readFile(file));
    } catch {
      return refuse(404); // missing, a directory, unreadable
    }
    return new Response(request.method === 'HEAD' ? null : body, {
      status: 200,
      headers: { ...headers, 'Content-Type': mimeTypeFor(file) },
    });
  };
}
