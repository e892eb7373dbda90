// The one shape every transport between the UI and the engine is adapted to: the subset of
// a DOM/Worker MessagePort the client and server use. A MessagePort (Electron's preload
// hands one to the page) fits as is; the browser host wraps its WebSocket in one
// (./websocket-channel.ts); the engine wraps Electron's parentPort ports and Node's
// child-process IPC (app/node/host-channels.ts).
//
// Shared by the engine and the renderer: no Node or DOM imports.

export interface MessageLike {
  readonly data: unknown;
}

export type MessageListener = (event: MessageLike) => void;

export interface MessageChannelLike {
  postMessage(data: unknown): void;
  addEventListener(type: 'message', listener: MessageListener): void;
  removeEventListener(type: 'message', listener: MessageListener): void;
  /** MessagePorts queue messages until started. */
  start?(): void;
  close?(): void;
}
