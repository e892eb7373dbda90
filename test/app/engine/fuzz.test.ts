// 10,000 seeded random and malformed messages to a real engine in a real child process:
// each one gets exactly one typed error (by id, or as a protocol.error event when it has
// no usable id), the engine never restarts, and a normal call works afterwards.
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, EVENT_FUNCTION } from '../../../app/shared/protocol.js';
import { engineScratch } from './engine-harness.js';
import { fuzzMessages } from './fuzz-messages.js';

const scratch = engineScratch();
const REFUSALS: string[] = [ERROR_CODES.badMessage, ERROR_CODES.unknownMethod, ERROR_CODES.badArguments];

describe('engine fuzz', () => {
  it('answers 10,000 malformed messages with typed errors and keeps serving', async () => {
    const { supervisor, client } = await scratch.start();
    const pid = supervisor.pid;
    const messages = fuzzMessages(10_000, 20261126);

    const byId = new Map<string, unknown>();
    const events: unknown[] = [];
    supervisor.channel.addEventListener('message', ({ data }) => {
      const m = data as { t: string; i?: string; m?: string; a?: unknown[]; e?: unknown };
      if (m.t === 's' && typeof m.i === 'string' && m.i.startsWith('fuzz-')) byId.set(m.i, m.e ?? { unexpectedResult: true });
      if (m.t === 'q' && m.m === EVENT_FUNCTION) events.push(m.a?.[0]);
    });

    let expectedEvents = 0;
    for (let start = 0; start < messages.length; start += 500) {
      const batch = messages.slice(start, start + 500);
      for (const message of batch) {
        supervisor.channel.postMessage(message.data);
        if (message.replyId === undefined) expectedEvents++;
      }
      // A normal call after each batch: the engine answers in order of arrival for
      // validation failures, so once it answers, every refusal of the batch is in.
      await client.call('engine.info');
    }

    const withId = messages.filter((m) => m.replyId !== undefined);
    expect(byId.size).toBe(withId.length);
    for (const message of withId) {
      const error = byId.get(message.replyId!) as { code?: unknown; message?: unknown };
      expect(REFUSALS, JSON.stringify(error)).toContain(error.code);
      expect(typeof error.message).toBe('string');
    }
    expect(events.length).toBe(expectedEvents);
    for (const event of events) {
      expect(event).toMatchObject({ type: 'protocol.error', error: { code: expect.stringMatching(/^(bad-message|unknown-method|bad-arguments)$/) } });
    }

    // Same process, still serving.
    expect(supervisor.pid).toBe(pid);
    expect((await client.call('engine.info')).pid).toBe(pid);
    await client.call('project.open', { name: 'after-fuzz', create: true });
    expect(await client.call('dataset.clips')).toEqual([]);
  });
});
