import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { hardenWebContents, installPermissionHandlers, type HardenableContents, type PermissionSession } from '../../app/main/security.js';
import { APP_ORIGIN } from '../../app/node/app-protocol.js';

type Handler = (...args: unknown[]) => unknown;

function fakeContents() {
  const emitter = new EventEmitter();
  let openHandler: Handler | undefined;
  const contents = {
    on: (event: string, listener: Handler) => emitter.on(event, listener),
    setWindowOpenHandler: (handler: Handler) => {
      openHandler = handler;
    },
  };
  const fire = (event: string): boolean => {
    const e = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
    emitter.emit(event, e, 'https://example.com/');
    return e.defaultPrevented;
  };
  return { contents: contents as unknown as HardenableContents, fire, open: (url: string) => openHandler?.({ url }) };
}

describe('hardenWebContents', () => {
  it('prevents navigation, redirects and webviews, and denies new windows', () => {
    const { contents, fire, open } = fakeContents();
    hardenWebContents(contents);
    expect(fire('will-navigate')).toBe(true);
    expect(fire('will-redirect')).toBe(true);
    expect(fire('will-attach-webview')).toBe(true);
    expect(open('https://example.com/')).toEqual({ action: 'deny' });
    expect(open('hark://app/index.html')).toEqual({ action: 'deny' });
  });
});

describe('installPermissionHandlers', () => {
  function install() {
    const session = {
      setPermissionCheckHandler: vi.fn(),
      setPermissionRequestHandler: vi.fn(),
      setDevicePermissionHandler: vi.fn(),
    };
    installPermissionHandlers(session as unknown as PermissionSession, [APP_ORIGIN]);
    const check = session.setPermissionCheckHandler.mock.calls[0]?.[0] as Handler;
    const request = session.setPermissionRequestHandler.mock.calls[0]?.[0] as Handler;
    const device = session.setDevicePermissionHandler.mock.calls[0]?.[0] as Handler;
    return { check, request, device };
  }

  const ours = { getURL: () => 'hark://app/index.html' };

  function ask(request: Handler, contents: unknown, permission: string, details: object): boolean {
    let answer: boolean | undefined;
    request(contents, permission, (granted: boolean) => { answer = granted; }, details);
    if (answer === undefined) throw new Error('the request handler never answered');
    return answer;
  }

  it('grants the microphone to our page and nothing else', () => {
    const { request } = install();
    expect(ask(request, ours, 'media', { isMainFrame: true, requestingUrl: 'hark://app/index.html', securityOrigin: 'hark://app/', mediaTypes: ['audio'] })).toBe(true);
    expect(ask(request, ours, 'media', { isMainFrame: true, requestingUrl: 'hark://app/index.html', mediaTypes: ['audio', 'video'] })).toBe(false);
    expect(ask(request, ours, 'geolocation', { isMainFrame: true, requestingUrl: 'hark://app/index.html' })).toBe(false);
    expect(ask(request, ours, 'notifications', { isMainFrame: true, requestingUrl: 'hark://app/index.html' })).toBe(false);
    const foreign = { getURL: () => 'https://example.com/' };
    expect(ask(request, foreign, 'media', { isMainFrame: true, requestingUrl: 'https://example.com/', mediaTypes: ['audio'] })).toBe(false);
  });

  it('answers checks the same way and refuses devices', () => {
    const { check, device } = install();
    expect(check(ours, 'media', 'hark://app/', { isMainFrame: true, mediaType: 'audio', securityOrigin: 'hark://app/' })).toBe(true);
    expect(check(ours, 'media', 'hark://app/', { isMainFrame: true, mediaType: 'video' })).toBe(false);
    expect(check(ours, 'notifications', 'hark://app/', { isMainFrame: true })).toBe(false);
    expect(check(null, 'media', 'https://example.com/', { isMainFrame: true, mediaType: 'audio' })).toBe(false);
    expect(device({ deviceType: 'usb', origin: 'hark://app' })).toBe(false);
  });
});
