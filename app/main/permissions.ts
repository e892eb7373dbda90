// Which permission requests the renderer may have granted. Pure: the Electron wiring is in
// app/main/security.ts, which only adapts Electron's arguments to these functions.
//
// Policy: microphone only. A `media` permission whose media types are exactly audio,
// asked by the main frame of one of our own origins. Everything else (camera, screen,
// geolocation, notifications, clipboard, HID/USB/serial, ...) and every other origin is
// denied.

/** A permission question, whether it came as a check or as a request. */
export interface PermissionQuery {
  /** Electron's permission name, e.g. 'media', 'geolocation'. */
  readonly permission: string;
  /** Every origin or URL Electron named for the asker. All must be trusted; none is no. */
  readonly origins: ReadonlyArray<string | undefined>;
  /** For `media`: the kinds asked for ('audio', 'video', 'unknown'). */
  readonly mediaTypes: readonly string[];
  /** Whether the main frame asks (we have no frames of our own). */
  readonly isMainFrame: boolean;
}

/**
 * `scheme://host[:port]` of a URL or origin string, lower-cased, or null when it has none.
 * Node's URL gives origin 'null' for non-special schemes such as hark:, so this builds it
 * from protocol and host instead.
 */
export function normalizeOrigin(urlOrOrigin: string | undefined): string | null {
  if (urlOrOrigin === undefined || urlOrOrigin === '') return null;
  let url: URL;
  try {
    url = new URL(urlOrOrigin);
  } catch {
    return null;
  }
  if (url.host === '' || url.username !== '' || url.password !== '') return null;
  return `${url.protocol}//${url.host}`.toLowerCase();
}

/** True when the permission may be granted. */
export function isPermissionAllowed(query: PermissionQuery, trustedOrigins: readonly string[]): boolean {
  if (query.permission !== 'media') return false;
  if (!query.isMainFrame) return false;
  if (query.mediaTypes.length === 0 || !query.mediaTypes.every((type) => type === 'audio')) return false;

  const trusted = new Set(trustedOrigins.map((o) => normalizeOrigin(o)).filter((o): o is string => o !== null));
  const asked = query.origins.filter((o): o is string => o !== undefined && o !== '');
  if (asked.length === 0) return false;
  return asked.every((o) => {
    const origin = normalizeOrigin(o);
    return origin !== null && trusted.has(origin);
  });
}

/** The fields of Electron's PermissionCheckHandlerHandlerDetails that matter here. */
export interface CheckDetails {
  readonly isMainFrame: boolean;
  readonly securityOrigin?: string;
  readonly requestingUrl?: string;
  readonly embeddingOrigin?: string;
  readonly mediaType?: string;
}

/** Adapts `session.setPermissionCheckHandler`'s arguments. */
export function queryFromCheck(permission: string, requestingOrigin: string, details: CheckDetails): PermissionQuery {
  return {
    permission,
    // embeddingOrigin is only set for cross-origin subframes: it must be trusted too.
    origins: [requestingOrigin, details.securityOrigin, details.requestingUrl, details.embeddingOrigin],
    mediaTypes: details.mediaType === undefined ? [] : [details.mediaType],
    isMainFrame: details.isMainFrame,
  };
}

/** The fields of Electron's PermissionRequest / MediaAccessPermissionRequest that matter here. */
export interface RequestDetails {
  readonly isMainFrame: boolean;
  readonly requestingUrl?: string;
  readonly securityOrigin?: string;
  readonly mediaTypes?: readonly string[];
}

/** Adapts `session.setPermissionRequestHandler`'s arguments. */
export function queryFromRequest(permission: string, details: RequestDetails, webContentsUrl: string): PermissionQuery {
  return {
    permission,
    origins: [details.requestingUrl, details.securityOrigin, webContentsUrl],
    mediaTypes: details.mediaTypes ?? [],
    isMainFrame: details.isMainFrame,
  };
}
