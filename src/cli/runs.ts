import type { Command } from 'commander';
import type { Page, Run } from './api-types.js';
import { apiPath, clientFor } from './client.js';
import { cell, printDetails, printJson, printLine, printNextCursor, printTable, truncate, wantsJson, withJsonOption } from './output.js';

function printRun(run: Run): void {
  printDetails([
    ['Run', run.id],
    ['Reaction', `${run.reaction} (version ${run.reactionVersion})`],
    ['Event', run.eventId],
    ['Status', run.status],
    ['Error', run.error],
    ['Created', run.createdAt],
    ['Finished', run.finishedAt],
  ]);
  for (const step of run.steps ?? []) {
    printLine(
      `\n${step.id}: ${step.status}${step.channel ? ` → ${step.channel}` : ''} (attempt ${step.attempt}, key ${step.idempotencyKey})`,
    );
    if (step.error) printLine(`  error: ${step.error}`);
    if (step.waitingUntil) printLine(`  waiting until ${step.waitingUntil}`);
    for (const line of step.logs.slice(-20)) printLine(`  | ${line}`);
  }
}

export function registerRunCommands(program: Command): void {
  const runs = program.command('runs').description('runs: what reactions did with events');

  withJsonOption(
    runs
      .command('list')
      .description('list runs, newest first')
      .option('--reaction <name>')
      .option('--status <status>', 'queued, running, waiting, succeeded, failed or cancelled')
      .option('--limit <n>')
      .option('--cursor <c>'),
  ).action(async (o: { reaction?: string; status?: string; limit?: string; cursor?: string }, command: Command) => {
    const page = await clientFor(command).get<Page<Run>>(apiPath('runs'), o);
    if (wantsJson(command)) return printJson(page);
    printTable(
      ['id', 'reaction', 'status', 'created', 'error'],
      page.items.map((r) => [r.id, r.reaction, r.status, r.createdAt, truncate(r.error, 40)]),
      'No runs.',
    );
    printNextCursor(page.nextCursor);
  });

  withJsonOption(runs.command('show').description('show a run with its steps, channels and logs').argument('<id>')).action(
    async (id: string, _o: unknown, command: Command) => {
      const run = await clientFor(command).get<Run>(apiPath('runs', id));
      if (wantsJson(command)) return printJson(run);
      printRun(run);
    },
  );

  for (const [verb, text] of [
    ['retry', 'run the failed steps of a finished run again'],
    ['cancel', 'cancel a run that has not finished'],
  ] as const) {
    withJsonOption(runs.command(verb).description(text).argument('<id>')).action(async (id: string, _o: unknown, command: Command) => {
      const run = await clientFor(command).post<Run>(`${apiPath('runs', id)}/${verb}`);
      if (wantsJson(command)) return printJson(run);
      printLine(`Run ${run.id} is ${run.status}`);
    });
  }

  for (const verb of ['approve', 'reject'] as const) {
    withJsonOption(
      runs
        .command(verb)
        .description(`${verb} a step waiting for approval`)
        .argument('<id>', 'run id')
        .argument('<step>', 'step id')
        .option('--comment <text>'),
    ).action(async (id: string, step: string, o: { comment?: string }, command: Command) => {
      const result = await clientFor(command).post<{ status: string }>(
        `${apiPath('runs', id, 'steps', step)}/${verb}`,
        o.comment ? { comment: o.comment } : {},
      );
      if (wantsJson(command)) return printJson(result);
      printLine(`Step ${step} of run ${id}: ${cell(result.status)}`);
    });
  }
}
