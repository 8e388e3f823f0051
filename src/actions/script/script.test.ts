import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NonRetriableError } from '../../engine/action.js';
import type { Outcome } from '../../engine/action.js';
import { createTestContext, sampleEvent } from '../../integrations/action-context.test-support.js';
import { CONNECTIONS_ARE_LITERAL, createScriptAction, RUN_IS_LITERAL } from './script.js';
import type { ScriptConfig } from './script.js';

const api = { url: 'http://127.0.0.1:7070', token: 'shp_run_token' };
const test = createTestContext({ api });
const action = createScriptAction({ enabled: true });
const run = (config: ScriptConfig) => action.run(test.ctx, config) as Promise<Outcome>;

afterEach(() => {
  test.logs.length = 0;
});
afterAll(() => test.close());

/** True while `pid` runs (a zombie waiting to be reaped counts as gone). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true; // no /proc: trust kill(0)
  }
}

async function until(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return condition();
}

describe('script', () => {
  it('is admin-only, with both channels and an example output', () => {
    expect(action).toMatchObject({ name: 'script', adminOnly: true, channels: ['success', 'failed'] });
    expect(action.exampleOutput).toBeDefined();
  });

  it('succeeds with ::output values, logging stdout and stderr lines', async () => {
    const outcome = await run({ run: 'echo hello; echo "::output version=1.4.2"; echo oops >&2; echo "::output empty="' });
    expect(outcome).toEqual({ channel: 'success', output: { exitCode: 0, outputs: { version: '1.4.2', empty: '' } } });
    // stdout and stderr are separate pipes: order holds within each, not across them.
    expect(test.logs.filter((line) => !line.startsWith('stderr: '))).toEqual(['hello', '::output version=1.4.2', '::output empty=']);
    expect(test.logs.filter((line) => line.startsWith('stderr: '))).toEqual(['stderr: oops']);
  });

  it('ends on failed with the exit code and the tail of stderr', async () => {
    const outcome = await run({ run: 'echo "::output step=1"; echo "it broke" >&2; exit 3' });
    expect(outcome).toEqual({ channel: 'failed', output: { exitCode: 3, outputs: { step: '1' }, stderrTail: 'it broke' } });
  });

  it('stops at the first failing command (sh -e)', async () => {
    const outcome = await run({ run: 'false; echo "::output reached=yes"' });
    expect(outcome.channel).toBe('failed');
    expect((outcome.output as { outputs: object }).outputs).toEqual({});
  });

  it('on timeout kills the whole process group, a backgrounded child too', async () => {
    const started = Date.now();
    const outcome = await run({ run: 'sleep 30 & echo "::output pid=$!"; wait', timeout: '300ms' });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(outcome).toMatchObject({ channel: 'failed', output: { reason: 'timeout', outputs: { pid: expect.stringMatching(/^\d+$/) } } });
    const pid = Number((outcome.output as { outputs: { pid: string } }).outputs.pid);
    expect(await until(() => !running(pid), 3000)).toBe(true);
  });

  it('SIGKILLs a group that ignores SIGTERM, after the grace period', async () => {
    // An ignored signal stays ignored across fork and exec, so the sleep ignores SIGTERM too.
    const outcome = await run({ run: 'trap "" TERM; sleep 30 & echo "::output pid=$!"; wait', timeout: '200ms' });
    expect(outcome).toMatchObject({ channel: 'failed', output: { reason: 'timeout', exitCode: null } });
    const pid = Number((outcome.output as { outputs: { pid: string } }).outputs.pid);
    expect(await until(() => !running(pid), 1000)).toBe(true);
  });

  it('kills what the script left running when it exits', async () => {
    const outcome = await run({ run: 'sleep 30 >/dev/null 2>&1 & echo "::output pid=$!"' });
    expect(outcome.channel).toBe('success');
    const pid = Number((outcome.output as { outputs: { pid: string } }).outputs.pid);
    expect(await until(() => !running(pid), 3000)).toBe(true);
  });

  it('stops and throws when the step is aborted', async () => {
    const controller = new AbortController();
    const aborted = createTestContext({ api, signal: controller.signal });
    try {
      const result = action.run(aborted.ctx, { run: 'echo started; sleep 30' });
      await until(() => aborted.logs.includes('started'), 5000);
      controller.abort();
      await expect(result).rejects.toThrow(/cancelled or timed out/);
    } finally {
      await aborted.close();
    }
  });

  describe('environment', () => {
    const saved = process.env.DATABASE_URL;
    beforeAll(() => {
      process.env.DATABASE_URL = 'postgres://secret@db/prod';
    });
    afterAll(() => {
      if (saved === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved;
    });

    it("gives the event file, the API access and the run identity, but not the server's variables", async () => {
      const outcome = await run({
        run: [
          'echo "::output event=$(cat "$SHIPLINE_EVENT_PATH")"',
          'echo "::output url=$SHIPLINE_URL"',
          'echo "::output token=$SHIPLINE_TOKEN"',
          'echo "::output ids=$SHIPLINE_RUN_ID/$SHIPLINE_STEP_ID"',
          'echo "::output db=${DATABASE_URL:-unset}"',
          'echo "::output extra=$EXTRA"',
          'echo "::output cwd=$(pwd)"',
        ].join('\n'),
        env: { EXTRA: 'given' },
      });
      expect(outcome.channel).toBe('success');
      const outputs = (outcome.output as { outputs: Record<string, string> }).outputs;
      expect(JSON.parse(outputs.event!)).toEqual(sampleEvent);
      expect(outputs).toMatchObject({ url: api.url, token: api.token, ids: 'run_test/step1', db: 'unset', extra: 'given' });
      expect(outputs.cwd).toMatch(/shipline-script-/);
    });

    it('runs in a fresh directory that is removed afterwards', async () => {
      const outcome = await run({ run: 'echo "::output cwd=$(pwd)"; ls -A | tr "\\n" " "' });
      const cwd = (outcome.output as { outputs: { cwd: string } }).outputs.cwd;
      expect(test.logs).toContain('event.json ');
      expect(await until(() => !exists(cwd), 1000)).toBe(true);
    });

    it('runs JavaScript with shell: node, with the same minimal environment', async () => {
      const outcome = await run({
        shell: 'node',
        run: 'console.log("::output keys=" + Object.keys(process.env).filter((k) => !k.startsWith("SHIPLINE_")).sort().join(","))',
      });
      const keys = (outcome.output as { outputs: { keys: string } }).outputs.keys.split(',');
      expect(keys).toContain('PATH');
      expect(keys.every((key) => ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ'].includes(key))).toBe(true);
    });

    it('puts binDir first on PATH', async () => {
      const binDir = await mkdtemp(join(tmpdir(), 'shipline-bin-'));
      // As root, scripts run as nobody: the directory must be theirs to search.
      await chmod(binDir, 0o755);
      try {
        await writeFile(join(binDir, 'shipline'), '#!/bin/sh\necho "::output cli=$*"\n');
        await chmod(join(binDir, 'shipline'), 0o755);
        const withCli = createScriptAction({ enabled: true, binDir });
        const outcome = (await withCli.run(test.ctx, { run: 'shipline deploys list' })) as Outcome;
        expect(outcome.output).toEqual({ exitCode: 0, outputs: { cli: 'deploys list' } });
      } finally {
        await rm(binDir, { recursive: true, force: true });
      }
    });
  });

  describe('event values as data', () => {
    const payload = 'Production; echo pwned > pwned.txt # $(id) `id` \'"';

    it('passes args to sh and bash as $1, $2 and env values as variables, never as code', async () => {
      for (const shell of ['sh', 'bash'] as const) {
        const outcome = await run({
          shell,
          run: 'printf "::output arg=%s\\n" "$1"; printf "::output env=%s\\n" "$VALUE"; printf "::output n=%s\\n" "$#"; ls',
          args: [payload, '--second'],
          env: { VALUE: payload },
        });
        expect(outcome.output, shell).toEqual({ exitCode: 0, outputs: { arg: payload, env: payload, n: '2' } });
        expect(test.logs, shell).not.toContain('pwned.txt');
      }
    });

    it('passes args to node as process.argv.slice(1), options included', async () => {
      const outcome = await run({
        shell: 'node',
        run: 'console.log("::output args=" + JSON.stringify(process.argv.slice(1)))',
        args: ['--inspect', payload],
      });
      expect(outcome.output).toEqual({ exitCode: 0, outputs: { args: JSON.stringify(['--inspect', payload]) } });
    });

    it('refuses args with pwsh, whose -Command would read them as code', async () => {
      await expect(run({ shell: 'pwsh', run: 'Write-Output $args', args: ['x'] })).rejects.toThrow(
        /args are not supported with shell pwsh/,
      );
    });

    it('declares run and connections literal: a template there is refused, with the way to pass values', () => {
      expect(action.literalSettings).toEqual({ run: RUN_IS_LITERAL, connections: CONNECTIONS_ARE_LITERAL });
      expect(RUN_IS_LITERAL).toMatch(/with\.env .* with\.args/);
      expect(CONNECTIONS_ARE_LITERAL).toMatch(/event data could pick which connection/);
    });
  });

  describe.runIf(process.getuid?.() === 0)('as root', () => {
    it('runs the script as nobody, in a directory it owns, with HOME there', async () => {
      const outcome = await run({
        run: 'echo "::output id=$(id -u):$(id -g):$(id -G)"; echo "::output home=$HOME"; touch written; cat "$SHIPLINE_EVENT_PATH" > /dev/null',
      });
      expect(outcome.channel).toBe('success');
      const outputs = (outcome.output as { outputs: { id: string; home: string } }).outputs;
      expect(outputs.id).toBe('65534:65534:65534');
      expect(outputs.home).toMatch(/shipline-script-/);
    });

    it('runs as SHIPLINE_SCRIPT_USER, a numeric uid:gid too', async () => {
      const other = createScriptAction({ enabled: true, user: '4242:4343' });
      const outcome = (await other.run(test.ctx, { run: 'echo "::output id=$(id -u):$(id -g)"' })) as Outcome;
      expect(outcome.output).toEqual({ exitCode: 0, outputs: { id: '4242:4343' } });
    });

    it('refuses an unknown user', async () => {
      const other = createScriptAction({ enabled: true, user: 'no-such-user-here' });
      await expect(other.run(test.ctx, { run: 'true' })).rejects.toThrow(/names no user of this host: "no-such-user-here"/);
    });

    it('refuses to run when the user could read a private path, naming it and the fix', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'shipline-private-'));
      try {
        await writeFile(join(dir, 'secret'), 'x', { mode: 0o600 });
        const guarded = createScriptAction({ enabled: true, privatePaths: [dir, join(dir, 'secret'), join(dir, 'missing')] });
        expect(((await guarded.run(test.ctx, { run: 'true' })) as Outcome).channel).toBe('success');
        await chmod(dir, 0o755);
        await expect(guarded.run(test.ctx, { run: 'true' })).rejects.toThrow(
          `refusing to run as nobody: it could read ${dir} (mode 0755, owner uid 0); make it private to Shipline's user (chmod 700 ${dir})`,
        );
        await chmod(join(dir, 'secret'), 0o644);
        await chmod(dir, 0o711);
        await expect(guarded.run(test.ctx, { run: 'true' })).rejects.toThrow(/it could read .*shipline-private-.* \(mode 0711/);
        await chmod(dir, 0o700);
        const fileOnly = createScriptAction({ enabled: true, privatePaths: [join(dir, 'secret')] });
        // Inside a directory nobody may enter, a world-readable file is still out of reach.
        expect(((await fileOnly.run(test.ctx, { run: 'true' })) as Outcome).channel).toBe('success');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  it('refuses to run when disabled', async () => {
    const disabled = createScriptAction({ enabled: false });
    const failure = disabled.run(test.ctx, { run: 'echo hi' });
    await expect(failure).rejects.toBeInstanceOf(NonRetriableError);
    await expect(failure).rejects.toThrow('The script action is disabled: set SHIPLINE_SCRIPTS=enabled to allow it');
  });

  it('refuses a shell that is not installed', async () => {
    const failure = run({ run: 'Write-Output hi', shell: 'pwsh', env: { PATH: '/nonexistent' } });
    await expect(failure).rejects.toBeInstanceOf(NonRetriableError);
    await expect(failure).rejects.toThrow(/pwsh: it is not installed/);
  });
});

function exists(path: string): boolean {
  try {
    readFileSync(join(path, 'event.json'));
    return true;
  } catch {
    return false;
  }
}
