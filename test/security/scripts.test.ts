import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateReaction } from '../../src/core/reactions/validate.js';
import { openStore } from '../../src/store/index.js';
import { spawnServer } from '../support/child-server.js';
import type { ServerChild } from '../support/child-server.js';
import { DIALECTS, freshDatabase } from '../support/databases.js';
import type { DialectName, TestDatabase } from '../support/databases.js';
import { shiplineEnv } from '../support/server-process.js';
import { eventually } from '../support/sink.js';

// Scripts run on the Shipline host: whoever posts a deploy must not get a shell there, and a
// script must not get Shipline's own keys. These run the real server (bin/shipline from dist/,
// as an installation runs), so the CLI on PATH is found the way an installation finds it.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const IS_ROOT = process.getuid?.() === 0;
// As root, scripts run as nobody, who needs to read the installation to run its CLI. A checkout
// under a private home (/root) is not readable to nobody; there the CLI test runs as root.
const CHECKOUT_USER =
  IS_ROOT &&
  spawnSync(
    'sh',
    [
      '-c',
      'test -r "$1/bin/shipline" && test -r "$1/dist/cli/index.js" && test -r "$1/node_modules/commander/package.json"',
      'check',
      ROOT,
    ],
    { uid: 65534, gid: 65534 },
  ).status !== 0
    ? { SHIPLINE_SCRIPT_USER: 'root' }
    : {};
const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const READY = /Shipline listening on (http:\/\/\S+) \(store: [^)\n]*\)/;

interface Run {
  id: string;
  status: string;
  steps: Array<{
    id: string;
    status: string;
    error: string | null;
    output: { exitCode?: number; outputs?: Record<string, string> } | null;
    logs: unknown;
  }>;
}

/** A directory only root (Shipline) may enter, as an installation's data directory should be. */
function privateDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o700);
  return dir;
}

/** Where a script (running as nobody) can leave what it saw for the test to read. */
function dropDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipline-drop-'));
  fs.chmodSync(dir, 0o777);
  return dir;
}

async function start(name: string, env: Record<string, string | undefined>): Promise<ServerChild> {
  if (!fs.existsSync(path.join(ROOT, 'dist/cli/index.js'))) throw new Error('dist/ is missing: run `npx tsc -p tsconfig.build.json` first');
  return spawnServer({
    name,
    args: [path.join(ROOT, 'bin/shipline'), 'start'],
    cwd: ROOT,
    env: shiplineEnv({ SHIPLINE_PORT: '0', SHIPLINE_HOST: '127.0.0.1', SHIPLINE_LOG_LEVEL: 'warn', SHIPLINE_SCRIPTS: 'enabled', ...env }),
    ready: READY,
    readyTimeoutMs: 20_000,
  });
}

function client(server: () => ServerChild, token: () => string) {
  return async <T>(method: string, url: string, body?: unknown): Promise<{ status: number; json: T }> => {
    const res = await fetch(url.startsWith('http') ? url : `${server().url}${url}`, {
      method,
      headers: { authorization: `Bearer ${token()}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, json: (text ? JSON.parse(text) : null) as T };
  };
}

/** Posts a deploy to a fresh endpoint as a CI pipeline would, and returns the run it started for `reaction`. */
async function deployAndRun(api: ReturnType<typeof client>, reaction: string, environment: string): Promise<Run> {
  const before = new Set((await api<{ items: Run[] }>('GET', `/api/v1/runs?reaction=${reaction}`)).json.items.map((r) => r.id));
  const endpoint = await api<{ url: string }>('POST', '/api/v1/deploy-endpoints', { name: `ci-${randomBytes(3).toString('hex')}` });
  expect(endpoint.status).toBe(201);
  const posted = await api('POST', endpoint.json.url, {
    service: 'shop',
    description: 'Deploy #1',
    deployed_at: new Date().toISOString(),
    deployer: { name: 'ci' },
    environment,
  });
  expect(posted.status).toBe(202);
  return eventually(
    async () => {
      const list = await api<{ items: Run[] }>('GET', `/api/v1/runs?reaction=${reaction}`);
      const run = list.json.items.find((r) => !before.has(r.id));
      if (!run || !['succeeded', 'failed'].includes(run.status)) return undefined;
      return (await api<Run>('GET', `/api/v1/runs/${run.id}`)).json;
    },
    20_000,
    `a finished run of ${reaction}`,
  );
}

describe.each(DIALECTS)('scripts against the host (%s)', (dialect: DialectName) => {
  describe('with the settings in the environment', () => {
    const adminToken = `adm_${randomBytes(16).toString('hex')}`;
    const masterKey = randomBytes(32).toString('hex');
    let database: TestDatabase;
    let dataDir: string;
    let drop: string;
    let server: ServerChild | undefined;
    const api = client(
      () => server!,
      () => adminToken,
    );

    beforeAll(async () => {
      database = await freshDatabase(dialect);
      dataDir = privateDir('shipline-scripts-data-');
      drop = dropDir();
      // A reaction stored before `run` refused templates: the documentation's own example, as it was.
      const store = openStore({ dataDir, databaseUrl: database.options.databaseUrl, masterKey });
      await store.migrate();
      const legacy = {
        name: 'legacy-smoke',
        on: { event: 'deploy.recorded', filter: { serviceAlias: 'shop' } },
        steps: { smoke: { uses: 'script', with: { run: `cd ${drop} && echo {{ data.environment }}` } } },
      };
      const checked = validateReaction(legacy, {});
      if (!checked.ok) throw new Error(checked.problems.join('\n'));
      await store.reactions.apply(checked.reaction, legacy);
      await store.close();
      server = await start(`Shipline (${dialect})`, {
        SHIPLINE_DATA_DIR: dataDir,
        DATABASE_URL: database.options.databaseUrl,
        SHIPLINE_ADMIN_TOKEN: adminToken,
        SHIPLINE_MASTER_KEY: masterKey,
        ...CHECKOUT_USER,
      });
    });

    afterAll(async () => {
      if (server?.running()) await server.stop();
      await database?.drop();
      for (const dir of [dataDir, drop]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it('a deploy whose environment is shell code runs no command through a stored reaction that splices it into run', async () => {
      const run = await deployAndRun(api, 'legacy-smoke', 'Production; id > pwned.txt #');
      expect(fs.existsSync(path.join(drop, 'pwned.txt'))).toBe(false);
      expect(run.status).toBe('failed');
      expect(run.steps[0]!.error).toMatch(/with\.run: templates are not allowed in a script's run .* with\.env .* with\.args/);
      await api('DELETE', '/api/v1/reactions/legacy-smoke');
    });

    it('a reaction splicing an event value into run is refused; through env and args the value arrives intact, as data', async () => {
      const spliced = {
        name: 'smoke',
        on: { event: 'deploy.recorded', filter: { serviceAlias: 'shop' } },
        steps: { smoke: { uses: 'script', with: { run: './scripts/smoke.sh {{ data.environment }}' } } },
      };
      const refused = await api<{ error: { code: string; details: { problems: string[] } } }>('PUT', '/api/v1/reactions/smoke', spliced);
      expect(refused.status).toBe(400);
      expect(refused.json.error.code).toBe('reaction.invalid');
      expect(refused.json.error.details.problems).toEqual([
        expect.stringMatching(/^steps\.smoke\.with\.run: templates are not allowed in a script's run .*with\.env.*with\.args/),
      ]);

      const asData = {
        ...spliced,
        steps: {
          smoke: {
            uses: 'script',
            with: {
              run: `cd ${drop}; printf '::output arg=%s\\n' "$1"; printf '::output env=%s\\n' "$ENVIRONMENT"; ls`,
              args: ['{{ data.environment }}'],
              env: { ENVIRONMENT: '{{ data.environment }}' },
            },
          },
        },
      };
      expect((await api('PUT', '/api/v1/reactions/smoke', asData)).status).toBe(201);
      const payload = 'Production; id > pwned.txt # $(id > pwned.txt) `id > pwned.txt`';
      const run = await deployAndRun(api, 'smoke', payload);
      expect(fs.existsSync(path.join(drop, 'pwned.txt'))).toBe(false);
      expect(run.status).toBe('succeeded');
      expect(run.steps[0]!.output).toEqual({ exitCode: 0, outputs: { arg: payload, env: payload } });
      await api('DELETE', '/api/v1/reactions/smoke');
    });

    it("the shipline CLI is on a script's PATH, from the installation itself, and reaches the API with the run's token", async () => {
      const cli = {
        name: 'cli',
        on: { event: 'deploy.recorded', filter: { serviceAlias: 'shop' } },
        steps: {
          cli: {
            uses: 'script',
            with: {
              run: 'echo "::output where=$(command -v shipline)"; echo "::output version=$(shipline --version)"; shipline deploys list > /dev/null; echo "::output listed=yes"',
            },
          },
        },
      };
      expect((await api('PUT', '/api/v1/reactions/cli', cli)).status).toBe(201);
      const run = await deployAndRun(api, 'cli', 'Staging');
      expect(run.status, JSON.stringify(run.steps[0])).toBe('succeeded');
      expect(run.steps[0]!.output!.outputs).toEqual({ where: path.join(ROOT, 'bin/shipline'), version: VERSION, listed: 'yes' });
      await api('DELETE', '/api/v1/reactions/cli');
    });
  });

  describe('with the secrets in *_FILE', () => {
    const adminToken = `adm_${randomBytes(16).toString('hex')}`;
    const masterKey = randomBytes(32).toString('hex');
    let database: TestDatabase;
    let dataDir: string;
    let secrets: string;
    let drop: string;
    let files: Record<string, string>;
    let server: ServerChild | undefined;
    const api = client(
      () => server!,
      () => adminToken,
    );

    beforeAll(async () => {
      database = await freshDatabase(dialect);
      dataDir = privateDir('shipline-scripts-data-');
      secrets = privateDir('shipline-scripts-secrets-');
      drop = dropDir();
      files = {
        SHIPLINE_ADMIN_TOKEN_FILE: path.join(secrets, 'admin-token'),
        SHIPLINE_MASTER_KEY_FILE: path.join(secrets, 'master-key'),
      };
      fs.writeFileSync(files.SHIPLINE_ADMIN_TOKEN_FILE!, `${adminToken}\n`, { mode: 0o600 });
      fs.writeFileSync(files.SHIPLINE_MASTER_KEY_FILE!, `${masterKey}\n`, { mode: 0o600 });
      if (database.options.databaseUrl) {
        files.DATABASE_URL_FILE = path.join(secrets, 'database-url');
        fs.writeFileSync(files.DATABASE_URL_FILE, database.options.databaseUrl, { mode: 0o600 });
      }
    });

    afterAll(async () => {
      if (server?.running()) await server.stop();
      await database?.drop();
      for (const dir of [dataDir, secrets, drop]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    /** A script that tries every way to Shipline's keys and leaves what it got in `drop`. */
    const snoop = (name: string) => ({
      name,
      on: { event: 'deploy.recorded', filter: { serviceAlias: 'shop' } },
      steps: {
        snoop: {
          uses: 'script',
          with: {
            env: { DROP: drop, DATA: dataDir, FILES: Object.values(files).join(' ') },
            run: [
              'echo "::output uid=$(id -u)"',
              'echo "::output ppid=$PPID"',
              'env > "$DROP/env"',
              'tr "\\0" "\\n" < /proc/$PPID/environ > "$DROP/environ" 2>/dev/null || echo "::output environ=denied"',
              'cat /proc/$PPID/cmdline > "$DROP/cmdline" 2>/dev/null || true',
              'for f in $FILES; do cat "$f" >> "$DROP/files" 2>/dev/null || echo "::output files=denied"; done',
              'ls -A "$DATA" > "$DROP/data" 2>/dev/null || echo "::output data=denied"',
              'cat "$DATA/master.key" "$DATA/shipline.db" >> "$DROP/data" 2>/dev/null || true',
            ].join('\n'),
          },
        },
      },
    });

    /** Everything the script managed to read, for the secrets to be looked for in. */
    const loot = () =>
      ['env', 'environ', 'cmdline', 'files', 'data']
        .map((f) => {
          try {
            return fs.readFileSync(path.join(drop, f), 'latin1');
          } catch {
            return '';
          }
        })
        .join('\n');

    const expectNoSecret = (seen: string) => {
      expect(seen).not.toContain(adminToken);
      expect(seen).not.toContain(masterKey);
      if (database.options.databaseUrl) expect(seen).not.toContain(database.options.databaseUrl);
      expect(seen).not.toMatch(/SHIPLINE_ADMIN_TOKEN=|SHIPLINE_MASTER_KEY=|DATABASE_URL=/);
    };

    it.runIf(IS_ROOT)(
      'a script run by root-started Shipline cannot read the admin token or master key: not from its env, /proc/$PPID/environ, the files or the data directory',
      async () => {
        server = await start(`Shipline (${dialect}, *_FILE)`, { SHIPLINE_DATA_DIR: dataDir, ...files });
        try {
          expect((await api('PUT', '/api/v1/reactions/snoop', snoop('snoop'))).status).toBe(201);
          const run = await deployAndRun(api, 'snoop', 'Production');
          expect(run.status, JSON.stringify(run.steps[0])).toBe('succeeded');
          const outputs = run.steps[0]!.output!.outputs!;
          expect(outputs.ppid).toBe(String(server.pid));
          expect(outputs.uid).toBe('65534');
          expect(outputs).toMatchObject({ environ: 'denied', files: 'denied', data: 'denied' });
          expectNoSecret(loot());
        } finally {
          await server.stop();
        }
      },
    );

    it.runIf(IS_ROOT)("with *_FILE, even a script of Shipline's own user finds no secret in /proc/$PPID/environ", async () => {
      for (const f of ['env', 'environ', 'cmdline', 'files', 'data']) fs.rmSync(path.join(drop, f), { force: true });
      // SHIPLINE_SCRIPT_USER=root: the same user, as when Shipline does not run as root.
      server = await start(`Shipline (${dialect}, *_FILE, same user)`, {
        SHIPLINE_DATA_DIR: dataDir,
        SHIPLINE_SCRIPT_USER: 'root',
        ...files,
      });
      try {
        expect((await api('PUT', '/api/v1/reactions/snoop', snoop('snoop'))).status).toBe(200);
        const run = await deployAndRun(api, 'snoop', 'Production');
        const outputs = run.steps[0]!.output!.outputs!;
        expect(outputs).toMatchObject({ uid: '0', ppid: String(server.pid) });
        expect(outputs.environ).toBeUndefined();
        const environ = fs.readFileSync(path.join(drop, 'environ'), 'utf8');
        expect(environ).toContain(`SHIPLINE_ADMIN_TOKEN_FILE=${files.SHIPLINE_ADMIN_TOKEN_FILE}`);
        expectNoSecret(environ);
        expectNoSecret(fs.readFileSync(path.join(drop, 'env'), 'utf8'));
      } finally {
        await server.stop();
      }
    });
  });
});
