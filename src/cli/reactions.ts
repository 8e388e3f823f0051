import fs from 'node:fs';
import { registerReactionInit } from './reaction-templates.js';
import path from 'node:path';
import type { Command } from 'commander';
import type { DryRunResult, List, Reaction, ReactionApplied, ReactionDetail, ReactionListItem } from './api-types.js';
import { apiPath, CliError, clientFor } from './client.js';
import { cell, printJson, printLine, printTable, truncate, wantsJson, withJsonOption } from './output.js';
import { scheduleLines, triggerText, utcText } from './reaction-schedule.js';

const DOCUMENT_FILE = /\.(ya?ml|json)$/i;

/** The reaction documents in a file, or in every .yaml/.yml/.json file of a directory (sorted). */
export async function readDocuments(target: string): Promise<{ file: string; document: Record<string, unknown> }[]> {
  // Imported here: the document model loads TypeBox, CEL and Liquid, which only apply needs.
  const { parseReactionText } = await import('../core/reactions/document.js');
  let files: string[];
  try {
    files = fs.statSync(target).isDirectory()
      ? fs
          .readdirSync(target)
          .filter((f) => DOCUMENT_FILE.test(f))
          .sort()
          .map((f) => path.join(target, f))
      : [target];
  } catch {
    throw new CliError(`Cannot read ${target}`);
  }
  const out: { file: string; document: Record<string, unknown> }[] = [];
  for (const file of files) {
    const parsed = parseReactionText(fs.readFileSync(file, 'utf8'));
    if (!parsed.ok) throw new CliError(`${file}: ${parsed.problems.join('; ')}`);
    for (const document of parsed.documents) {
      if (
        typeof document !== 'object' ||
        document === null ||
        Array.isArray(document) ||
        typeof (document as { name?: unknown }).name !== 'string'
      ) {
        throw new CliError(`${file}: every document needs a name`);
      }
      out.push({ file, document: document as Record<string, unknown> });
    }
  }
  return out;
}

/** `label: value` lines with the values aligned, as printDetails prints them, for comments. */
function detailLines(pairs: Array<[string, string | number | null | undefined]>): string[] {
  const width = Math.max(...pairs.map(([label]) => label.length));
  return pairs.map(([label, value]) => `${`${label}:`.padEnd(width + 1)} ${cell(value)}`);
}

/** Commander's way to take an option more than once: each `-f` adds to the list. */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function registerReactionCommands(program: Command): void {
  const reactions = program.command('reactions').description('reactions: documents mapping events to steps (config as code)');
  registerReactionInit(reactions);

  withJsonOption(
    reactions
      .command('apply')
      .description(
        'create or update reactions from YAML/JSON files or directories of them (-f repeated: all of them); unchanged ones stay as they are',
      )
      .requiredOption('-f, --file <path>', 'a file, or a directory of .yaml/.yml/.json files; repeat for more', collect)
      .option('--prune', 'also delete the reactions on the server that none of the files define'),
  ).action(async (options: { file: string[]; prune?: boolean }, command: Command) => {
    const client = clientFor(command);
    // All files are read (and every document checked for a name) before anything is applied.
    const documents: Awaited<ReturnType<typeof readDocuments>> = [];
    for (const file of options.file) documents.push(...(await readDocuments(file)));
    const names = new Set<string>();
    const results: { name: string; action: string; version: number }[] = [];
    for (const { document } of documents) {
      const name = document.name as string;
      if (names.has(name)) throw new CliError(`reaction ${name} is defined twice`);
      names.add(name);
    }
    for (const { file, document } of documents) {
      const name = document.name as string;
      let applied: ReactionApplied;
      try {
        applied = await client.put<ReactionApplied>(apiPath('reactions', name), document);
      } catch (err) {
        throw err instanceof CliError ? new CliError(`${file} (${name}): ${err.message}`) : err;
      }
      results.push({
        name,
        action: !applied.changed ? 'unchanged' : applied.version === 1 ? 'created' : 'updated',
        version: applied.version,
      });
    }
    if (options.prune) {
      const existing = await client.get<List<Reaction>>(apiPath('reactions'));
      for (const reaction of existing.items) {
        if (names.has(reaction.name)) continue;
        await client.delete(apiPath('reactions', reaction.name));
        results.push({ name: reaction.name, action: 'deleted', version: reaction.version });
      }
    }
    if (wantsJson(command)) return printJson({ items: results });
    printTable(
      ['reaction', 'result', 'version'],
      results.map((r) => [r.name, r.action, String(r.version)]),
      'No reaction documents found.',
    );
  });

  withJsonOption(reactions.command('list').description('list reactions')).action(async (_o: unknown, command: Command) => {
    const list = await clientFor(command).get<List<ReactionListItem>>(apiPath('reactions'));
    if (wantsJson(command)) return printJson(list);
    printTable(
      ['name', 'version', 'enabled', 'trigger', 'next', 'description'],
      list.items.map((r) => [
        r.name,
        String(r.version),
        r.enabled ? 'yes' : 'no',
        triggerText(r),
        r.nextFireAt ? utcText(r.nextFireAt) : '',
        truncate(r.description),
      ]),
      'No reactions yet: apply one with `shipline reactions apply -f reaction.yaml`.',
    );
  });

  withJsonOption(
    reactions
      .command('show')
      .description(
        'print a reaction as YAML: its document as stored, after its fields and schedule (next and last ticks) as comments, so the output applies as it is',
      )
      .argument('<name>'),
  ).action(async (name: string, _o: unknown, command: Command) => {
    const reaction = await clientFor(command).get<ReactionDetail>(apiPath('reactions', name));
    if (wantsJson(command)) return printJson(reaction);
    const about = detailLines([
      ['Name', reaction.name],
      ['Version', reaction.version],
      ['Enabled', reaction.enabled ? 'yes' : 'no'],
      ['Trigger', triggerText(reaction)],
      ['Updated', reaction.updatedAt],
    ]);
    if (reaction.schedule) about.push('', ...scheduleLines(reaction.schedule, reaction.enabled));
    printLine(about.map((line) => (line === '' ? '#' : `# ${line}`)).join('\n'));
    // Imported here: only show needs the YAML writer. No line folding: a long script or URL stays one line.
    const { stringify } = await import('yaml');
    process.stdout.write(stringify(reaction.document, { lineWidth: 0 }));
  });

  withJsonOption(reactions.command('delete').description('delete a reaction (its runs stay)').argument('<name>')).action(
    async (name: string, _o: unknown, command: Command) => {
      await clientFor(command).delete(apiPath('reactions', name));
      if (!wantsJson(command)) printLine(`Deleted reaction ${name}`);
    },
  );

  withJsonOption(
    reactions
      .command('test')
      .description(
        'dry run: would the event start the reaction, and with which inputs (nothing is performed); a scheduled reaction without an event tries its next tick',
      )
      .argument('<name>')
      .option('--event-id <id>', 'a stored event')
      .option('--event <file>', 'a JSON file holding {type, data}'),
  ).action(async (name: string, options: { eventId?: string; event?: string }, command: Command) => {
    if (options.eventId && options.event) throw new CliError('Give --event-id or --event, not both');
    // Without either, the server dry-runs a scheduled reaction's next tick and refuses any other reaction.
    const body = options.eventId
      ? { eventId: options.eventId }
      : options.event
        ? { event: JSON.parse(fs.readFileSync(options.event, 'utf8')) as unknown }
        : {};
    const result = await clientFor(command).post<DryRunResult>(`${apiPath('reactions', name)}/test`, body);
    if (wantsJson(command)) return printJson(result);
    printLine(result.matched ? 'The event matches: a run would start.' : `No run: ${result.reason}`);
    for (const step of result.steps) {
      printLine(`\n${step.id} (${step.uses})${step.after ? ` after ${step.after.step} on ${step.after.channel}` : ', runs first'}`);
      printLine(step.error ? `  input not renderable yet: ${step.error}` : JSON.stringify(step.input, null, 2).replace(/^/gm, '  '));
    }
  });
}
