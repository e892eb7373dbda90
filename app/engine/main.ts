// The engine process's entry (built to out/main/engine.js). Runs under Electron's
// utilityProcess (process.parentPort exists) or as a plain Node child_process.fork
// (process.send exists); one small adapter per host, the same EngineService behind both.
//
// Arguments: --data <folder> (projects live below it), --host electron|node, --version <v>.

import path from 'node:path';
import { EngineService } from './service.js';
import {
  channelFromIpc,
  channelFromMessagePortMain,
  isControl,
  type EngineToHost,
  type MessagePortMainLike,
} from '../node/host-channels.js';
import { toWireError } from '../shared/engine-error.js';

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

interface ParentPortLike {
  on(event: 'message', listener: (event: { data: unknown; ports: MessagePortMainLike[] }) => void): unknown;
  postMessage(message: unknown): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPortLike }).parentPort;
const dataDir = argument('data');
if (dataDir === undefined || !path.isAbsolute(dataDir)) {
  process.stderr.write('hark engine: --data <absolute folder> is required\n');
  process.exit(2);
}

const service = new EngineService({
  dataDir,
  host: parentPort ? 'electron' : 'node',
  version: argument('version') ?? '0.0.0',
});

// Bad input must never take the engine down; a bug that escapes a handler is logged.
process.on('unhandledRejection', (reason) => {
  process.stderr.write(`hark engine: unhandled rejection: ${String(reason)}\n`);
});

function handleControl(message: unknown, ports: MessagePortMainLike[], reply: (m: EngineToHost) => void): void {
  if (!isControl(message)) return;
  switch (message.kind) {
    case 'connect': {
      const port = ports[0];
      if (!port) return;
      const served = service.connect(channelFromMessagePortMain(port));
      port.on('close', () => served.close());
      return;
    }
    case 'grant': {
      try {
        reply({ kind: 'granted', requestId: message.requestId, grant: service.grantFolder(message.folder) });
      } catch (err) {
        reply({ kind: 'granted', requestId: message.requestId, grant: null, error: toWireError(err).message });
      }
      return;
    }
    case 'shutdown':
      void service.shutdown().finally(() => process.exit(0));
      return;
    case 'rpc':
      return; // handled by the IPC channel adapter
  }
}

if (parentPort) {
  parentPort.on('message', (event) => handleControl(event.data, event.ports ?? [], (m) => parentPort.postMessage(m)));
  parentPort.postMessage({ kind: 'ready', pid: process.pid } satisfies EngineToHost);
} else if (process.send) {
  service.connect(channelFromIpc(process));
  process.on('message', (message) => handleControl(message, [], (m) => process.send?.(m)));
  // The parent went away: nothing left to serve.
  process.on('disconnect', () => {
    void service.shutdown().finally(() => process.exit(0));
  });
  process.send({ kind: 'ready', pid: process.pid } satisfies EngineToHost);
} else {
  process.stderr.write('hark engine: start me with utilityProcess.fork or child_process.fork\n');
  process.exit(2);
}
