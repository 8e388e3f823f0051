import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `npm start` builds only when dist/ is not what the sources build: checked on a small project
// laid out as Shipline is, whose "build" counts its runs, through the real script and npm.

const SCRIPT = fileURLToPath(new URL('../scripts/build-stamp.js', import.meta.url));

// Writes the outputs the start needs and counts the builds; fails while a file named FAIL exists.
const FAKE_BUILD = `
const fs = require('node:fs');
if (fs.existsSync('FAIL')) process.exit(1);
fs.mkdirSync('dist/cli', { recursive: true });
fs.mkdirSync('dist/web', { recursive: true });
fs.mkdirSync('dist/bundle', { recursive: true });
fs.writeFileSync('dist/cli/index.js', '');
fs.writeFileSync('dist/bundle/main.js', '');
fs.writeFileSync('dist/web/index.html', '');
fs.appendFileSync('builds.log', 'built\\n');
`;

describe('building only when dist/ is stale', () => {
  let dir: string;
  const file = (name: string) => path.join(dir, name);
  const builds = () => (fs.existsSync(file('builds.log')) ? fs.readFileSync(file('builds.log'), 'utf8').split('\n').length - 1 : 0);
  const ensure = () => spawnSync(process.execPath, [SCRIPT, 'ensure'], { cwd: dir, encoding: 'utf8', env: { ...process.env } });

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipline-stamp-'));
    fs.writeFileSync(file('build.cjs'), FAKE_BUILD);
    const build = `node ${JSON.stringify(SCRIPT)} begin && node build.cjs && node ${JSON.stringify(SCRIPT)} finish`;
    fs.writeFileSync(file('package.json'), JSON.stringify({ name: 'stamp-test', private: true, scripts: { build } }));
    fs.writeFileSync(file('package-lock.json'), '{"lockfileVersion": 3}');
    fs.mkdirSync(file('src/server'), { recursive: true });
    fs.mkdirSync(file('web/src'), { recursive: true });
    fs.writeFileSync(file('src/server/app.ts'), 'export const a = 1;\n');
    fs.writeFileSync(file('web/src/App.tsx'), 'export const b = 1;\n');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('builds when there is no build, then not again while nothing changed', () => {
    const first = ensure();
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toContain('Building Shipline');
    expect(builds()).toBe(1);
    const second = ensure();
    expect(second.status).toBe(0);
    expect(second.stderr).toBe('');
    expect(builds()).toBe(1);
  });

  it('does not build for a newer time on the same content', () => {
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(file('src/server/app.ts'), later, later);
    ensure();
    expect(builds()).toBe(1);
  });

  it.each([
    ['an edited source', () => fs.appendFileSync(file('src/server/app.ts'), 'export const c = 2;\n')],
    ['a new web file', () => fs.writeFileSync(file('web/src/New.tsx'), 'export {};\n')],
    ['a renamed file', () => fs.renameSync(file('web/src/New.tsx'), file('web/src/Renamed.tsx'))],
    ['a changed lockfile', () => fs.writeFileSync(file('package-lock.json'), '{"lockfileVersion": 3, "packages": {}}')],
    ['a missing output', () => fs.rmSync(file('dist/web/index.html'))],
    ['a missing server bundle', () => fs.rmSync(file('dist/bundle/main.js'))],
  ])('builds again after %s', (_what, change) => {
    const before = builds();
    change();
    expect(ensure().status).toBe(0);
    expect(builds()).toBe(before + 1);
    ensure();
    expect(builds()).toBe(before + 1);
  });

  it('fails with a failed build, and leaves dist/ stale so the next start builds again', () => {
    const before = builds();
    fs.appendFileSync(file('src/server/app.ts'), 'export const broken = true;\n');
    fs.writeFileSync(file('FAIL'), '');
    expect(ensure().status).not.toBe(0);
    fs.rmSync(file('FAIL'));
    expect(ensure().status).toBe(0);
    expect(builds()).toBe(before + 1);
  });
});
