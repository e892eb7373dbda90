// The one builder of wire messages: what it builds is what the client (birpc) and the
// engine's schema take, and the id readers tell requests, answers and events apart.
import { describe, expect, it, vi } from 'vitest';
import type { MessageChannelLike, MessageListener } from '../../../app/shared/channel.js';
import { createEngineClient } from '../../../app/shared/client.js';
import { ERROR_CODES, RequestEnvelope, type EngineEvent } from '../../../app/shared/protocol.js';
import {
  answeredIdOf,
  errorMessage,
  eventMessage,
  isRpcMessage,
  messageIdOf,
  protocolErrorMessage,
  requestIdOf,
  resultMessage,
} from '../../../app/shared/rpc-envelope.js';

/** A channel whose "engine" end is the test: it sees what the client posts and answers with `reply`. */
function loopback() {
  const listeners = new Set<MessageListener>();
  const posted: unknown[] = [];
  const channel: MessageChannelLike = {
    postMessage: (data) => void posted.push(data),
    addEventListener: (_type, listener) => void listeners.add(listener),
    removeEventListener: (_type, listener) => void listeners.delete(listener),
  };
  const reply = (data: unknown) => listeners.forEach((l) => l({ data }));
  return { channel, posted, reply };
}

describe('rpc envelope', () => {
  it('builds answers and events the client understands', async () => {
    const { channel, posted, reply } = loopback();
    const client = createEngineClient(channel);
    const events: EngineEvent[] = [];
    client.onAny((e) => events.push(e));

    const answered = client.call('engine.info');
    const refused = client.call('project.list');
    const [info, list] = posted;
    expect(RequestEnvelope.safeParse(info).success).toBe(true);
    expect(requestIdOf(info)).toBeDefined();
    reply(resultMessage(requestIdOf(info)!, { version: 'x' }));
    reply(errorMessage(requestIdOf(list)!, { code: 'not-found', message: 'gone' }));
    expect(await answered).toEqual({ version: 'x' });
    await expect(refused).rejects.toMatchObject({ code: 'not-found', message: 'gone' });

    reply(eventMessage({ type: 'models.changed' }));
    reply(protocolErrorMessage(ERROR_CODES.badMessage, 'text frames are not accepted'));
    await vi.waitFor(() => expect(events).toHaveLength(2)); // birpc runs incoming calls asynchronously
    expect(events).toEqual([{ type: 'models.changed' }, { type: 'protocol.error', error: { code: 'bad-message', message: 'text frames are not accepted' } }]);
    client.close();
  });

  it('tells requests, answers and events apart by their ids', () => {
    const request = { t: 'q', i: 'a1', m: 'engine.info', a: [] };
    const answer = resultMessage('a1', null);
    const event = eventMessage({ type: 'models.changed' });
    expect([requestIdOf(request), requestIdOf(answer), requestIdOf(event)]).toEqual(['a1', undefined, undefined]);
    expect([answeredIdOf(request), answeredIdOf(answer), answeredIdOf(event)]).toEqual([undefined, 'a1', undefined]);
    expect([isRpcMessage(request), isRpcMessage(answer), isRpcMessage({ t: 'x' }), isRpcMessage(null), isRpcMessage('q')]).toEqual([true, true, false, false, false]);
    // Any message with a usable id can be answered by it, whatever else is wrong with it.
    expect(messageIdOf({ t: 'nonsense', i: 'b2' })).toBe('b2');
    expect([messageIdOf({ i: '' }), messageIdOf({ i: 'x'.repeat(65) }), messageIdOf({ i: 7 }), messageIdOf(undefined)]).toEqual([undefined, undefined, undefined, undefined]);
    expect(RequestEnvelope.safeParse({ ...request, i: 'x'.repeat(64) }).success).toBe(true);
    expect(RequestEnvelope.safeParse({ ...request, i: 'x'.repeat(65) }).success).toBe(false);
  });
});
