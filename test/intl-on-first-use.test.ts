import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { openStore } from '../src/store/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Renders `template` with `scope.event = event` in a Node process of its own (`imports` loaded
 * first, `env` as its environment) and returns what the last line of `report` printed.
 */
async function renderInChild(
  template: string,
  event: object,
  report: string,
  options: { imports?: string[]; env?: NodeJS.ProcessEnv } = {},
) {
  const templates = pathToFileURL(path.join(ROOT, 'src/core/reactions/templates.ts')).href;
  const script = [
    `const { renderString } = await import(${JSON.stringify(templates)});`,
    `const scope = { event: ${JSON.stringify(event)}, data: {}, steps: {}, secrets: {}, run: { id: 'r', reaction: 'x', version: 1 } };`,
    `const text = renderString(${JSON.stringify(template)}, scope);`,
    `console.log(JSON.stringify(${report}));`,
  ].join('\n');
  const imports = (options.imports ?? []).flatMap((hook) => ['--import', pathToFileURL(hook).href]);
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', ...imports, '--input-type=module', '-e', script], {
    cwd: ROOT,
    timeout: 30_000,
    env: options.env ?? process.env,
  });
  return JSON.parse(stdout) as Record<string, unknown>;
}

// The first Intl.DateTimeFormat of a process loads ICU's locale and time zone data: about 9 MiB
// resident from then on. Liquid asked for one in its constructor, which runs when the reaction
// templates' module is loaded, so every server start paid it (decision 0043). Loading the
// module and rendering a template that formats no date must not create one.
describe('reaction templates and ICU', () => {
  it('load and render without creating an Intl.DateTimeFormat', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipline-intl-'));
    try {
      const hook = path.join(dir, 'count-intl.mjs');
      fs.writeFileSync(
        hook,
        [
          'let made = 0;',
          'const Original = Intl.DateTimeFormat;',
          'Intl.DateTimeFormat = new Proxy(Original, {',
          '  construct: (target, args) => { made++; return Reflect.construct(target, args); },',
          '  apply: (target, self, args) => { made++; return Reflect.apply(target, self, args); },',
          '});',
          'globalThis.intlDateTimeFormats = () => made;',
        ].join('\n'),
      );
      const result = await renderInChild(
        'deployed {{ event.service }}',
        { service: 'checkout' },
        '{ text, made: globalThis.intlDateTimeFormats() }',
        {
          imports: [hook],
        },
      );
      expect(result).toEqual({ text: 'deployed checkout', made: 0 });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

// The `date` filter's day and month names are English whatever the host's locale (decision 0043,
// docs/reactions.md): a server started under a German locale renders the same text.
describe('the date filter under another locale', () => {
  it('names days and months in English', async () => {
    const result = await renderInChild(
      '{{ event.at | date: "%A %d %B", "UTC" }}',
      { at: '2026-03-05T10:00:00Z' },
      '{ text, host: new Intl.DateTimeFormat().resolvedOptions().locale }',
      { env: { ...process.env, LANG: 'de_DE.UTF-8', LC_ALL: 'de_DE.UTF-8' } },
    );
    expect(result.host).toBe('de-DE'); // the host's locale really is German, so the check below is not vacuous
    expect(result.text).toBe('Thursday 05 March');
  });
});

// The first localeCompare of a process loads ICU's collation: about 6 ms. Kysely's migrator
// compares the names of the applied migrations with it by default, so every start of a migrated
// store paid it; Shipline's migrator orders them by code unit (decision 0061).
describe('migrating a migrated store', () => {
  it('compares no strings with localeCompare', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipline-collation-'));
    try {
      const first = openStore({ dataDir });
      await first.migrate();
      await first.close();
      const compare = vi.spyOn(String.prototype, 'localeCompare');
      const again = openStore({ dataDir });
      try {
        expect(await again.migrate()).toEqual([]);
        expect(compare).not.toHaveBeenCalled();
      } finally {
        compare.mockRestore();
        await again.close();
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
