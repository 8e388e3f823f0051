import type { Command } from 'commander';
import type { EventMatch, List, Page, ReplayResult, ShiplineEventView } from './api-types.js';
import { apiPath, CliError, clientFor, serverUrlFor } from './client.js';
import { printJson, printLine, printNextCursor, printTable, wantsJson, withJsonOption } from './output.js';
import { trimTrailingSlashes } from '../core/urls.js';
import { errorMessage } from '../core/error-message.js';
import { refusedAt } from '../core/reactions/refused-by.js';

function summary(event: ShiplineEventView): string {
  return `${event.receivedAt}  ${event.type}  ${event.id}  ${event.source}`;
}

export function registerEventCommands(program: Command): void {
  const events = program.command('events').description('events: everything that happened, stored');

  withJsonOption(
    events
      .command('list')
      .description('list events, newest first')
      .option('--type <glob>', 'exact type or glob, e.g. "octopus.deployment.*"')
      .option('--since <time>', 'stored at or after this ISO time')
      .option('--limit <n>')
      .option('--cursor <c>'),
  ).action(async (o: { type?: string; since?: string; limit?: string; cursor?: string }, command: Command) => {
    const page = await clientFor(command).get<Page<ShiplineEventView>>(apiPath('events'), o);
    if (wantsJson(command)) return printJson(page);
    printTable(
      ['received', 'type', 'id', 'source'],
      page.items.map((e) => [e.receivedAt, e.type, e.id, e.source]),
      'No events.',
    );
    printNextCursor(page.nextCursor);
  });

  withJsonOption(events.command('show').description('show one event with its data').argument('<id>')).action(
    async (id: string, _o: unknown, command: Command) => {
      const event = await clientFor(command).get<ShiplineEventView>(apiPath('events', id));
      if (wantsJson(command)) return printJson(event);
      printLine(summary(event));
      printLine(JSON.stringify(event.data, null, 2));
    },
  );

  withJsonOption(
    events
      .command('why')
      .description('would each reaction (or the one named) start on the event now, and if not, which part of it refused')
      .argument('<id>', 'the event')
      .option('--reaction <name>', 'only this reaction'),
  ).action(async (id: string, o: { reaction?: string }, command: Command) => {
    const { items } = await clientFor(command).get<List<EventMatch>>(apiPath('events', id, 'matches'));
    const matches = o.reaction === undefined ? items : items.filter((m) => m.reaction === o.reaction);
    // The server lists every reaction: one missing from the list does not exist.
    if (o.reaction !== undefined && matches.length === 0) throw new CliError(`No reaction named ${o.reaction}`);
    if (wantsJson(command)) return printJson({ items: matches });
    printTable(
      ['reaction', 'version', 'starts', 'refused by', 'why not'],
      matches.map((m) => [
        m.reaction,
        String(m.version),
        m.matched ? 'yes' : 'no',
        m.refusedBy ? refusedAt(m.refusedBy) : '-',
        m.reason ?? '-',
      ]),
      'No reactions yet: nothing can start on this event.',
    );
  });

  withJsonOption(
    events
      .command('replay')
      .description('dispatch a stored event again: to every reaction that matches it now, or to the one named')
      .argument('<id>', 'the event')
      .option('--reaction <name>', 'start only this reaction, whether or not its trigger matches the event'),
  ).action(async (id: string, o: { reaction?: string }, command: Command) => {
    const result = await clientFor(command).post<ReplayResult>(
      `${apiPath('events', id)}/replay`,
      o.reaction === undefined ? {} : { reaction: o.reaction },
    );
    if (wantsJson(command)) return printJson(result);
    printTable(
      ['run', 'reaction'],
      result.runs.map((r) => [r.id, r.reaction]),
      'No reaction matches the event now: no run started (see `shipline events why`).',
    );
  });

  withJsonOption(
    events
      .command('tail')
      .description('print events as they are stored (Ctrl-C to stop)')
      .option('--type <glob>', 'only events of this type or glob'),
  ).action(async (o: { type?: string }, command: Command) => {
    clientFor(command); // checks the token is there before connecting
    const globals = command.optsWithGlobals<{ url?: string; token?: string }>();
    const base = serverUrlFor(command);
    const url = new URL(`${trimTrailingSlashes(base.pathname)}${apiPath('events', 'stream')}`, base);
    if (o.type) url.searchParams.set('type', o.type);
    const response = await fetch(url, {
      headers: { authorization: `Bearer ${globals.token || process.env.SHIPLINE_TOKEN}`, accept: 'text/event-stream' },
    }).catch((err: unknown) => {
      throw new CliError(`Cannot reach ${url.origin}: ${errorMessage(err)}`);
    });
    if (!response.ok || !response.body) throw new CliError(`The server refused the stream: HTTP ${response.status}`);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const message = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = message
          .split('\n')
          .filter((l) => l.startsWith('data: '))
          .map((l) => l.slice(6))
          .join('\n');
        if (!data) continue;
        const event = JSON.parse(data) as ShiplineEventView;
        if (wantsJson(command)) process.stdout.write(`${JSON.stringify(event)}\n`);
        else printLine(summary(event));
      }
    }
  });
}
