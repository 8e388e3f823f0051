import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/** The layers of docs/architecture.md are enforced by `npm run lint`: a crossing is an error. */
const eslint = new ESLint({ cwd: process.cwd() });

async function crossings(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'shipline/import-boundaries').map((m) => m.message);
}

describe('import boundaries', () => {
  it('refuses a provider reaching into the store or the server', async () => {
    const store = await crossings(
      'src/integrations/acme/client.ts',
      "import type { Store } from '../../store/index.js';\nexport type S = Store;\n",
    );
    expect(store).toEqual([expect.stringContaining('integrations may not import store')]);
    const server = await crossings(
      'src/integrations/acme/hook.ts',
      "import { buildApp } from '../../server/app.js';\nexport const b = buildApp;\n",
    );
    expect(server).toEqual([expect.stringContaining('integrations may not import server')]);
  });

  it('lets a provider use the core, the action contract and the guarded HTTP client', async () => {
    const code = [
      "import type { Action } from '../../engine/action.js';",
      "import { ShiplineError } from '../../core/errors.js';",
      "import { createHttpClient } from '../../actions/http/client.js';",
      'export const all: unknown[] = [ShiplineError, createHttpClient];',
      'export type A = Action;',
      '',
    ].join('\n');
    expect(await crossings('src/integrations/acme/client.ts', code)).toEqual([]);
  });

  it('tells the store from the engine by where a path lands, not how it is spelled', async () => {
    expect(await crossings('src/store/deploys.ts', "import { x } from './engine/jobs.js';\nexport const y = x;\n")).toEqual([]);
    expect(await crossings('src/store/deploys.ts', "import { x } from '../engine/engine.js';\nexport const y = x;\n")).toEqual([
      expect.stringContaining('store may not import engine'),
    ]);
  });

  it('keeps the core pure and the engine free of providers', async () => {
    expect(await crossings('src/core/x.ts', "import { y } from '../store/index.js';\nexport const z = y;\n")).toHaveLength(1);
    expect(await crossings('src/engine/x.ts', "import { y } from '../integrations/slack/index.js';\nexport const z = y;\n")).toHaveLength(
      1,
    );
  });

  it('lets the CLI read server schemas as types only, and never the store', async () => {
    expect(await crossings('src/cli/x.ts', "import type { T } from '../server/schemas.js';\nexport type U = T;\n")).toEqual([]);
    expect(await crossings('src/cli/x.ts', "import { T } from '../server/schemas.js';\nexport const U = T;\n")).toHaveLength(1);
    expect(await crossings('src/cli/x.ts', "import type { T } from '../store/index.js';\nexport type U = T;\n")).toHaveLength(1);
  });

  it('lets tests reach into any layer', async () => {
    expect(
      await crossings('src/integrations/acme/client.test.ts', "import { y } from '../../store/index.js';\nexport const z = y;\n"),
    ).toEqual([]);
  });
});
