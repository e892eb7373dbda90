import { describe, expect, it } from 'vitest';
import {
  isPermissionAllowed,
  normalizeOrigin,
  queryFromCheck,
  queryFromRequest,
  type PermissionQuery,
} from '../../app/main/permissions.js';
import { APP_ORIGIN } from '../../app/node/app-protocol.js';

const TRUSTED = [APP_ORIGIN];

function query(overrides: Partial<PermissionQuery> = {}): PermissionQuery {
  return {
    permission: 'media',
    origins: ['hark://app/index.html'],
    mediaTypes: ['audio'],
    isMainFrame: true,
    ...overrides,
  };
}

describe('normalizeOrigin', () => {
  it('reduces URLs and origins of the app scheme to scheme://host', () => {
    expect(normalizeOrigin('hark://app/index.html?x=1#y')).toBe('hark://app');
    expect(normalizeOrigin('hark://app/')).toBe('hark://app');
    expect(normalizeOrigin('HARK://APP')).toBe('hark://app');
    expect(normalizeOrigin('http://localhost:5173/src/main.ts')).toBe('http://localhost:5173');
  });

  it('gives null for what has no origin', () => {
    expect(normalizeOrigin(undefined)).toBeNull();
    expect(normalizeOrigin('')).toBeNull();
    expect(normalizeOrigin('null')).toBeNull();
    expect(normalizeOrigin('file:///etc/passwd')).toBeNull();
    expect(normalizeOrigin('data:text/html,hi')).toBeNull();
    expect(normalizeOrigin('hark://user:pw@app/')).toBeNull();
  });
});

describe('isPermissionAllowed', () => {
  it('allows audio-only media from our own origin', () => {
    expect(isPermissionAllowed(query(), TRUSTED)).toBe(true);
    expect(isPermissionAllowed(query({ origins: ['hark://app'] }), TRUSTED)).toBe(true);
  });

  it('denies video, audio+video and unknown media types', () => {
    expect(isPermissionAllowed(query({ mediaTypes: ['video'] }), TRUSTED)).toBe(false);
    expect(isPermissionAllowed(query({ mediaTypes: ['audio', 'video'] }), TRUSTED)).toBe(false);
    expect(isPermissionAllowed(query({ mediaTypes: ['unknown'] }), TRUSTED)).toBe(false);
    expect(isPermissionAllowed(query({ mediaTypes: [] }), TRUSTED)).toBe(false);
  });

  it.each([
    'geolocation', 'notifications', 'display-capture', 'clipboard-read', 'midi', 'hid', 'usb',
    'serial', 'openExternal', 'fullscreen', 'pointerLock', 'fileSystem', 'unknown',
  ])('denies %s even from our origin', (permission) => {
    expect(isPermissionAllowed(query({ permission }), TRUSTED)).toBe(false);
  });

  it('denies other origins, look-alikes and missing origins', () => {
    for (const origin of [
      'https://example.com', 'http://localhost:5173', 'hark://evil', 'hark://app.evil.com',
      'file:///index.html', 'null', 'data:text/html,x',
    ]) {
      expect(isPermissionAllowed(query({ origins: [origin] }), TRUSTED), origin).toBe(false);
    }
    expect(isPermissionAllowed(query({ origins: [] }), TRUSTED)).toBe(false);
    expect(isPermissionAllowed(query({ origins: [undefined, ''] }), TRUSTED)).toBe(false);
  });

  it('denies when any of the named origins is foreign', () => {
    expect(isPermissionAllowed(query({ origins: ['hark://app/', 'https://example.com/'] }), TRUSTED)).toBe(false);
  });

  it('denies subframes, even of our origin', () => {
    expect(isPermissionAllowed(query({ isMainFrame: false }), TRUSTED)).toBe(false);
  });

  it('trusts the dev server only when it is listed', () => {
    const dev = query({ origins: ['http://localhost:5173/'] });
    expect(isPermissionAllowed(dev, TRUSTED)).toBe(false);
    expect(isPermissionAllowed(dev, [...TRUSTED, 'http://localhost:5173'])).toBe(true);
  });
});

describe('adapters for the Electron handlers', () => {
  it('check: audio from our page yes, video or a foreign embedder no', () => {
    const ok = queryFromCheck('media', 'hark://app/', { isMainFrame: true, mediaType: 'audio', securityOrigin: 'hark://app/', requestingUrl: 'hark://app/index.html' });
    expect(isPermissionAllowed(ok, TRUSTED)).toBe(true);
    const video = queryFromCheck('media', 'hark://app/', { isMainFrame: true, mediaType: 'video' });
    expect(isPermissionAllowed(video, TRUSTED)).toBe(false);
    const embedded = queryFromCheck('media', 'hark://app/', { isMainFrame: true, mediaType: 'audio', embeddingOrigin: 'https://example.com' });
    expect(isPermissionAllowed(embedded, TRUSTED)).toBe(false);
    const noType = queryFromCheck('media', 'hark://app/', { isMainFrame: true });
    expect(isPermissionAllowed(noType, TRUSTED)).toBe(false);
  });

  it('request: microphone from our page yes, camera or a foreign page no', () => {
    const mic = queryFromRequest('media', { isMainFrame: true, requestingUrl: 'hark://app/index.html', securityOrigin: 'hark://app/', mediaTypes: ['audio'] }, 'hark://app/index.html');
    expect(isPermissionAllowed(mic, TRUSTED)).toBe(true);
    const camera = queryFromRequest('media', { isMainFrame: true, requestingUrl: 'hark://app/index.html', mediaTypes: ['video'] }, 'hark://app/index.html');
    expect(isPermissionAllowed(camera, TRUSTED)).toBe(false);
    const foreignPage = queryFromRequest('media', { isMainFrame: true, requestingUrl: 'https://example.com/', mediaTypes: ['audio'] }, 'https://example.com/');
    expect(isPermissionAllowed(foreignPage, TRUSTED)).toBe(false);
    const foreignContents = queryFromRequest('media', { isMainFrame: true, requestingUrl: 'hark://app/', mediaTypes: ['audio'] }, 'https://example.com/');
    expect(isPermissionAllowed(foreignContents, TRUSTED)).toBe(false);
  });
});
