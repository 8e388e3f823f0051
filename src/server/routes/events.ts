import { Type } from 'typebox';
import { Budget } from '../../core/reactions/budget.js';
import { globMatches, isValidGlob } from '../../core/reactions/matching.js';
import { refusal } from '../../core/reactions/refusal.js';
import { triggerDeclarations } from '../../core/reactions/source-trigger.js';
import { CONNECTION_TYPES } from '../../integrations/connection-types.js';
import { ShiplineError } from '../../core/errors.js';
import { EVENTS_CHANNEL } from '../../store/engine/dispatch.js';
import type { ListedEvent } from '../../store/events.js';
import type { Store } from '../../store/index.js';
import { specOf } from '../../store/engine/reactions.js';
import { Event, EventMatch, EventQuery, ReplayRequest, ReplayResult } from '../engine-schemas.js';
import { ErrorResponses, List, Page } from '../schemas.js';
import { StreamGaps } from '../stream-gaps.js';
import type { App } from './types.js';

const tags = ['events'];
const Id = Type.Object({ id: Type.String() });
/** A comment line every so often keeps proxies from closing an idle stream. */
const HEARTBEAT_MS = 15_000;
/** How the options of a reaction's `on` match, as each connection type declares. */
const TRIGGERS = triggerDeclarations(CONNECTION_TYPES);

export function eventRoutes(store: Store) {
  return async (app: App) => {
    app.get(
      '/events',
      {
        config: { minRole: 'read' },
        schema: {
          summary: 'List stored events, newest first',
          tags,
          querystring: EventQuery,
          response: { 200: Page(Event), ...ErrorResponses },
        },
      },
      async (request) => {
        if (request.query.type && !isValidGlob(request.query.type))
          throw new ShiplineError('request.invalid', `querystring/type is not a valid type or glob`);
        return store.events.list(request.query);
      },
    );

    app.get(
      '/events/stream',
      {
        config: { minRole: 'read' },
        schema: {
          summary: 'Live events as Server-Sent Events (`id` is the position; send Last-Event-ID to resume)',
          tags,
          querystring: Type.Object({
            type: Type.Optional(Type.String({ minLength: 1, description: 'Type or glob' })),
            named: Type.Optional(
              Type.Boolean({
                default: true,
                description: "false: frames carry no `event:` line, so a browser EventSource's onmessage sees every type",
              }),
            ),
          }),
        },
      },
      async (request, reply) => {
        const type = request.query.type;
        const named = request.query.named !== false;
        if (type && !isValidGlob(type)) throw new ShiplineError('request.invalid', 'querystring/type is not a valid type or glob');
        reply.hijack();
        const res = reply.raw;
        let closed = false;
        let stop = () => undefined as void;
        // Listened to first: the client may go while the stream is being set up.
        request.raw.once('close', () => {
          closed = true;
          stop();
          res.end();
        });
        const header = request.headers['last-event-id'];
        const resumeFrom = Number(header);
        let last = header !== undefined && Number.isSafeInteger(resumeFrom) && resumeFrom >= 0 ? resumeFrom : await store.events.lastSeq();
        res.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        res.write(': connected\n\n');
        let busy = false;
        let again = false;
        const gaps = new StreamGaps();
        const send = (event: ListedEvent, withId: boolean) => {
          if (type && !globMatches(type, event.type)) return;
          // A late event (below the last position sent) goes without an id: the client's
          // Last-Event-ID must stay the highest position it has, or a resume would repeat events.
          const id = withId ? `id: ${event.seq}\n` : '';
          res.write(named ? `${id}event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n` : `${id}data: ${JSON.stringify(event)}\n\n`);
        };
        // Reads what was stored since the last event sent; wake-ups during a read cause one more read.
        const drain = async () => {
          if (busy) return void (again = true);
          busy = true;
          try {
            do {
              again = false;
              for (;;) {
                const batch = await store.events.after(last, 500);
                if (batch.length === 0 || closed) break;
                for (const event of batch) {
                  if (event.seq > last + 1) gaps.passed(last, event.seq, Date.now());
                  last = event.seq;
                  send(event, true);
                }
                if (batch.length < 500) break;
              }
              const pending = gaps.pending(Date.now());
              for (let i = 0; i < pending.length && !closed; i += 500) {
                for (const event of await store.events.atSeqs(pending.slice(i, i + 500))) {
                  gaps.found(event.seq);
                  send(event, false);
                }
              }
            } while (again && !closed);
          } catch (err) {
            request.log.warn({ err }, 'event stream read failed');
          } finally {
            busy = false;
          }
        };
        if (closed) return;
        const unlisten = await store.db.listen(EVENTS_CHANNEL, () => void drain());
        const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS);
        stop = () => {
          clearInterval(heartbeat);
          void unlisten();
        };
        if (closed) return stop();
        void drain();
      },
    );

    app.get(
      '/events/:id',
      {
        config: { minRole: 'read' },
        schema: { summary: 'Show an event', tags, params: Id, response: { 200: Event, ...ErrorResponses } },
      },
      async (request) => store.events.get(request.params.id),
    );

    app.get(
      '/events/:id/matches',
      {
        config: { minRole: 'read' },
        schema: {
          summary: 'Every reaction (current version): would it start on this event now, if not why, and the runs the event started for it',
          tags,
          params: Id,
          response: { 200: List(EventMatch), ...ErrorResponses },
        },
      },
      async (request) => {
        const event = await store.events.get(request.params.id);
        const [reactions, runs] = await Promise.all([store.reactions.list(), store.runs.forEvents([event.id])]);
        // One budget for every reaction's condition, as when the event was dispatched.
        const budget = new Budget("one event's matches");
        return {
          items: reactions.map((r) => {
            const refused = refusal(specOf(r.document), event, TRIGGERS, budget);
            return {
              reaction: r.name,
              version: r.version,
              enabled: r.enabled,
              trigger: r.trigger,
              matched: refused === null,
              reason: refused?.reason ?? null,
              refusedBy: refused?.refusedBy ?? null,
              runs: runs.filter((run) => run.reaction === r.name).map((run) => ({ id: run.id, status: run.status })),
            };
          }),
        };
      },
    );

    app.post(
      '/events/:id/replay',
      {
        config: { minRole: 'write' },
        schema: {
          summary: 'Dispatch a stored event again: to every matching reaction, or to the one named (filter not checked)',
          tags,
          params: Id,
          body: Type.Optional(ReplayRequest),
          response: { 202: ReplayResult, ...ErrorResponses },
        },
      },
      async (request, reply) => {
        const event = await store.events.get(request.params.id);
        const result = await store.db.transaction((run) =>
          store.dispatcher.replay(run, { ...event, correlate: [] }, request.body?.reaction),
        );
        return reply.status(202).send(result);
      },
    );
  };
}
