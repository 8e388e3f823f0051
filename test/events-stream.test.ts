import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/databases.js';
import type { EngineTestApp } from './support/runtime.js';
import { startEngineApp } from './support/runtime.js';
import { EVENTS_CHANNEL } from '../src/store/engine/dispatch.js';

/** Reads Server-Sent Events from a response until `count` events arrived. */
async function readEvents(
  response: Response,
  count: number,
  /** Called with the number of events read so far, after each one arrives. */
  received?: (read: number) => Promise<unknown>,
): Promise<Array<{ id: string; event: string | undefined; data: { type: string; data: unknown; seq: number } }>> {
  const out: Array<{ id: string; event: string | undefined; data: { type: string; data: unknown; seq: number } }> = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body!) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const field = (name: string) =>
        block
          .split('\n')
          .find((l) => l.startsWith(`${name}: `))
          ?.slice(name.length + 2);
      const data = field('data');
      if (data) {
        out.push({ id: field('id')!, event: field('event'), data: JSON.parse(data) });
        await received?.(out.length);
      }
      if (out.length >= count) return out;
    }
  }
  return out;
}

describe.each(DIALECTS)('the live event stream on %s', (dialect) => {
  let t: EngineTestApp;
  let base: string;

  beforeAll(async () => {
    t = await startEngineApp(dialect);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  afterAll(() => t.close());

  it('streams events as they are stored, filtered by a type glob, and resumes after Last-Event-ID', async () => {
    const abort = new AbortController();
    const response = await fetch(`${base}/api/v1/events/stream?type=deploy.*`, {
      headers: { authorization: `Bearer ${t.tokens.read}` },
      signal: abort.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reading = readEvents(response, 2);
    await t.store.events.append({ type: 'other.thing', source: 'test', data: {} });
    await t.ingest({ service: 'streamed', dedup_id: 'stream-1' });
    await t.ingest({ service: 'streamed', dedup_id: 'stream-2' });
    const events = await reading;
    abort.abort();
    expect(events.map((e) => e.event)).toEqual(['deploy.recorded', 'deploy.recorded']);
    expect(events.map((e) => (e.data.data as { dedupId: string }).dedupId)).toEqual(['stream-1', 'stream-2']);

    const resumed = new AbortController();
    const again = await fetch(`${base}/api/v1/events/stream?type=deploy.recorded`, {
      headers: { authorization: `Bearer ${t.tokens.read}`, 'last-event-id': events[0]!.id },
      signal: resumed.signal,
    });
    const replayed = await readEvents(again, 1);
    resumed.abort();
    expect((replayed[0]!.data.data as { dedupId: string }).dedupId).toBe('stream-2');
  });

  it("leaves out the event: line with named=false (a browser EventSource's onmessage then sees every frame), and names frames by default", async () => {
    const abort = new AbortController();
    const open = (query: string) =>
      fetch(`${base}/api/v1/events/stream?${query}`, { headers: { authorization: `Bearer ${t.tokens.read}` }, signal: abort.signal });
    const [unnamed, named, explicit] = await Promise.all([
      open('named=false&type=deploy.*'),
      open('type=deploy.*'),
      open('named=true&type=deploy.*'),
    ]);
    const reading = Promise.all([readEvents(unnamed, 1), readEvents(named, 1), readEvents(explicit, 1)]);
    await t.ingest({ service: 'streamed', dedup_id: 'stream-unnamed' });
    const [[plain], [typed], [typedToo]] = await reading;
    abort.abort();
    expect(plain).toMatchObject({
      id: expect.stringMatching(/^\d+$/),
      event: undefined,
      data: { type: 'deploy.recorded', data: { dedupId: 'stream-unnamed' } },
    });
    expect(typed).toMatchObject({ id: plain!.id, event: 'deploy.recorded', data: { type: 'deploy.recorded' } });
    expect(typedToo).toMatchObject({ id: plain!.id, event: 'deploy.recorded' });
  });

  it('sends an event that commits after a later one was sent (positions are taken before commit), without an id', async () => {
    const abort = new AbortController();
    const response = await fetch(`${base}/api/v1/events/stream?type=late.*`, {
      headers: { authorization: `Bearer ${t.tokens.read}` },
      signal: abort.signal,
    });
    // Positions far above the sequence's, so nothing stored later collides with them.
    const far = (await t.store.events.lastSeq()) + 1_000_000;
    const insertAt = (seq: number, type: string) =>
      t.store.db.transaction(async (run) => {
        await run.query(
          'INSERT INTO events (seq, id, type, source, source_key, occurred_at, data, created_at, subject) VALUES (?, ?, ?, ?, NULL, ?, ?, ?, NULL)',
          [seq, `late-${seq}`, type, 'test', new Date().toISOString(), '{}', new Date().toISOString()],
        );
        await run.notify(EVENTS_CHANNEL);
      });
    // The later position commits first, as a second writer's batch can, and is sent; only then
    // does the earlier one commit.
    const reading = readEvents(response, 2, (read) => (read === 1 ? insertAt(far + 1, 'late.first') : Promise.resolve()));
    await insertAt(far + 2, 'late.second');
    const events = await reading;
    abort.abort();
    expect(events.map((e) => [e.data.type, e.id])).toEqual([
      ['late.second', String(far + 2)],
      ['late.first', undefined],
    ]);
  });

  it('refuses the stream without a token', async () => {
    expect((await fetch(`${base}/api/v1/events/stream`)).status).toBe(401);
  });
});
