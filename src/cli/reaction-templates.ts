import fs from 'node:fs';
import type { Command } from 'commander';
import { CliError } from './client.js';
import { printJson, printLine, printTable, wantsJson, withJsonOption } from './output.js';

interface InitOptions {
  list?: boolean;
  output?: string;
  force?: boolean;
  set: string[];
}

/** Collects repeated `--set id=value` options. */
const collect = (value: string, previous: string[]) => [...previous, value];

/** `--set` values by blank id; a value may hold `=` (only the first one splits). */
function blankValues(sets: string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const set of sets) {
    const at = set.indexOf('=');
    if (at <= 0) throw new CliError(`--set takes <blank>=<value>, not ${JSON.stringify(set)}`);
    values[set.slice(0, at)] = set.slice(at + 1);
  }
  return values;
}

/**
 * `shipline reactions init`: ready-made reactions from the integrations (no server needed).
 * `--list` shows them; a name prints it (or writes it with `-o`), ready for `reactions apply`.
 */
export function registerReactionInit(reactions: Command): void {
  withJsonOption(
    reactions
      .command('init')
      .description('write a ready-made reaction (see --list), to fill in with your connection and secret names')
      .argument('[template]', 'the template name')
      .option('--list', 'list the templates')
      .option('-o, --output <file>', 'write it to this file instead of printing it')
      .option('--force', 'overwrite the file if it exists')
      .option('--set <blank=value>', 'fill in a blank (the connection, a channel; --list shows them), repeatable', collect, []),
  ).action(async (name: string | undefined, options: InitOptions, command: Command) => {
    // Imported here: the manifests load every integration, which no other command needs.
    const { allTemplates } = await import('../integrations/manifests.js');
    const { fillTemplateYaml } = await import('../integrations/template-gallery.js');
    const templates = allTemplates();
    if (options.list || name === undefined) {
      if (wantsJson(command)) {
        const blanks = (t: (typeof templates)[number]) => t.blanks.map((b) => ({ id: b.id, label: b.label }));
        return printJson({ items: templates.map((t) => ({ name: t.name, description: t.description, blanks: blanks(t) })) });
      }
      printTable(
        ['TEMPLATE', 'WHAT IT DOES', 'BLANKS (--set)'],
        templates.map((t) => [t.name, t.description, t.blanks.map((b) => b.id).join(', ')]),
        'no templates',
      );
      return;
    }
    const template = templates.find((t) => t.name === name);
    if (!template) throw new CliError(`no template named ${name} (shipline reactions init --list shows them)`);
    let yaml: string;
    try {
      yaml = options.set.length > 0 ? fillTemplateYaml(template, blankValues(options.set)) : template.yaml;
    } catch (err) {
      if (err instanceof CliError) throw err;
      throw new CliError((err as Error).message);
    }
    if (wantsJson(command)) return printJson({ name: template.name, description: template.description, yaml });
    if (!options.output) {
      process.stdout.write(yaml);
      return;
    }
    if (fs.existsSync(options.output) && !options.force) throw new CliError(`${options.output} exists (use --force to overwrite it)`);
    fs.writeFileSync(options.output, yaml);
    const left = options.set.length > 0 ? 'check the values' : 'edit the connection and secret names';
    printLine(`wrote ${options.output}: ${left}, then shipline reactions apply -f ${options.output}`);
  });
}
