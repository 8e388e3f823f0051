import fs from 'node:fs';
import type { Command } from 'commander';
import { CliError } from './client.js';
import { printJson, printLine, printTable, wantsJson, withJsonOption } from './output.js';

interface InitOptions {
  list?: boolean;
  output?: string;
  force?: boolean;
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
      .option('--force', 'overwrite the file if it exists'),
  ).action(async (name: string | undefined, options: InitOptions, command: Command) => {
    // Imported here: the manifests load every integration, which no other command needs.
    const { allTemplates } = await import('../integrations/manifests.js');
    const templates = allTemplates();
    if (options.list || name === undefined) {
      if (wantsJson(command)) return printJson({ items: templates.map((t) => ({ name: t.name, description: t.description })) });
      printTable(
        ['TEMPLATE', 'WHAT IT DOES'],
        templates.map((t) => [t.name, t.description]),
        'no templates',
      );
      return;
    }
    const template = templates.find((t) => t.name === name);
    if (!template) throw new CliError(`no template named ${name} (shipline reactions init --list shows them)`);
    if (wantsJson(command)) return printJson({ name: template.name, description: template.description, yaml: template.yaml });
    if (!options.output) {
      process.stdout.write(template.yaml);
      return;
    }
    if (fs.existsSync(options.output) && !options.force) throw new CliError(`${options.output} exists (use --force to overwrite it)`);
    fs.writeFileSync(options.output, template.yaml);
    printLine(`wrote ${options.output}: edit the connection and secret names, then shipline reactions apply -f ${options.output}`);
  });
}
