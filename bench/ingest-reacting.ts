// The PostgreSQL ingest while a reaction listens: each batch then runs in a transaction with the
// runs its events start. Measures, per deploy, the wall time and the CPU of PostgreSQL's backends
// serving the store, for batches of --batch deploys recorded one batch after another, in the
// store itself (no HTTP). With --baseline <checkout> (where `npm run build` has run) that build's
// store is measured too, the two taking turns round by round.
//
//   npm run bench:ingest-reacting [-- --rounds 3 --batches 200 --batch 10 --baseline <checkout>]
//
// Needs SHIPLINE_TEST_DATABASE_URL; each build gets a database of its own, dropped at the end.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freshDatabase, POSTGRES_URL } from '../test/support/databases.js';
import { seedPayload } from '../test/support/app.js';
import { processCpuUs } from './support/proc.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Options {
  rounds: number;
  batches: number;
  batch: number;
  baseline: string | undefined;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { rounds: 3, batches: 200, batch: 10, baseline: undefined };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--baseline') options.baseline = path.resolve(value);
    else if (flag === '--rounds' || flag === '--batches' || flag === '--batch') {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new Error(`${flag} takes a whole number from 1 to 100000`);
      options[flag.slice(2) as 'rounds' | 'batches' | 'batch'] = n;
    } else
      throw new Error(
        `unknown argument ${flag}\nusage: npm run bench:ingest-reacting -- [--rounds n] [--batches n] [--batch n] [--baseline DIR]`,
      );
  }
  return options;
}

/** One build's store on a database of its own, with a reaction listening for deploy.recorded. */
async function openBuild(root: string) {
  const build = (file: string) => import(path.join(root, 'dist', file));
  const [{ openStore }, { parseDeployPayload }, { validateReaction }] = await Promise.all([
    build('store/index.js'),
    build('core/deploy-payload.js'),
    build('core/reactions/document.js'),
  ]);
  const database = await freshDatabase('postgres');
  const store = openStore(database.options);
  await store.migrate();
  await store.services.create({ name: 'cart', aliases: ['cart-svc'] });
  const endpointId = (await store.endpoints.create('ci')).id as string;
  const document = {
    name: 'listens',
    enabled: true,
    on: { event: 'deploy.recorded' },
    steps: { note: { uses: 'log', with: { message: '{{ data.id }}' } } },
  };
  const reaction = validateReaction(document, { applying: true });
  if (!reaction.ok) throw new Error(reaction.problems.join('; '));
  await store.reactions.apply(reaction.reaction, document);
  const client = new pg.Client({ connectionString: database.options.databaseUrl });
  await client.connect();
  const name = new URL(database.options.databaseUrl!).pathname.slice(1);
  let sent = 0;
  const record = (n: number) =>
    Promise.all(
      Array.from({ length: n }, () => {
        const parsed = parseDeployPayload(seedPayload({ deploy_number: undefined, service: 'cart-svc', dedup_id: `d-${sent++}` }));
        if (!parsed.ok) throw new Error('the seed payload does not parse');
        return store.ingest.record(endpointId, parsed.input);
      }),
    );
  /** CPU ms of the backends serving this database (the measuring connection's own excluded). */
  const backendCpuMs = async () => {
    const { rows } = await client.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [name],
    );
    // A backend that ended meanwhile reads as nothing: its round reads low.
    return rows.reduce((ms, { pid }) => ms + (processCpuUs(pid) ?? 0) / 1000, 0);
  };
  return {
    record,
    backendCpuMs,
    close: async () => {
      await client.end();
      await store.close();
      await database.drop();
    },
  };
}

async function main(): Promise<void> {
  if (!POSTGRES_URL) throw new Error('set SHIPLINE_TEST_DATABASE_URL');
  const options = parseArgs(process.argv.slice(2));
  const builds = [
    ...(options.baseline ? [{ label: `baseline (${options.baseline})`, root: options.baseline }] : []),
    { label: 'this build', root: ROOT },
  ];
  const opened = [];
  for (const build of builds) opened.push({ ...build, store: await openBuild(build.root) });
  const totals = new Map<string, { wallMs: number; cpuMs: number; deploys: number }>();
  try {
    for (const { store } of opened) for (let b = 0; b < 30; b++) await store.record(options.batch); // warm-up
    for (let round = 1; round <= options.rounds; round++) {
      for (const { label, store } of opened) {
        const cpuBefore = await store.backendCpuMs();
        const start = performance.now();
        for (let b = 0; b < options.batches; b++) await store.record(options.batch);
        const wallMs = performance.now() - start;
        const cpuMs = (await store.backendCpuMs()) - cpuBefore;
        const deploys = options.batches * options.batch;
        const total = totals.get(label) ?? { wallMs: 0, cpuMs: 0, deploys: 0 };
        totals.set(label, { wallMs: total.wallMs + wallMs, cpuMs: total.cpuMs + cpuMs, deploys: total.deploys + deploys });
        console.log(
          `round ${round}, ${label}: ${((wallMs * 1000) / deploys).toFixed(0)} µs wall and ${((cpuMs * 1000) / deploys).toFixed(0)} µs of PostgreSQL CPU per deploy`,
        );
      }
    }
  } finally {
    for (const { store } of opened) await store.close();
  }
  console.log(
    `\n${options.batches} batches of ${options.batch} per round, ${options.rounds} rounds; /proc counts CPU in clock ticks (10 ms at 100 Hz)\n`,
  );
  console.log('| Build | µs wall per deploy | µs PostgreSQL CPU per deploy |');
  console.log('|---|--:|--:|');
  for (const [label, t] of totals)
    console.log(`| ${label} | ${((t.wallMs * 1000) / t.deploys).toFixed(0)} | ${((t.cpuMs * 1000) / t.deploys).toFixed(0)} |`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
