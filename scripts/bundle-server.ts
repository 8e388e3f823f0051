// Bundles the compiled server (dist/main.js and every Shipline module it imports, with TypeBox
// and Kysely) into one file, dist/bundle/main.js, which `shipline start` and `shipline migrate`
// load. Importing ~1,200 small ES modules (TypeBox alone is ~680 files, Kysely 262) took more
// CPU than anything else in a start; one file takes about half as much (decision 0034).
// The other packages stay where npm put them: they are CommonJS (or native, as better-sqlite3),
// load few files, and some find their own files on disk.
//
//   node --import tsx scripts/bundle-server.ts      (part of `npm run build`, after tsc)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Packages bundled in: ESM, many files each, and nothing read from their own folder at run time. */
const BUNDLED = new Set(['typebox', 'kysely']);

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
const external = Object.keys(pkg.dependencies)
  .filter((name) => !BUNDLED.has(name))
  .flatMap((name) => [name, `${name}/*`]);

// dist/bundle/ sits two folders below the root, as dist/server/ does: paths that modules build
// from import.meta.url (the web UI in dist/web) resolve alike from either.
const outfile = path.join(ROOT, 'dist', 'bundle', 'main.js');
const result = await build({
  entryPoints: [path.join(ROOT, 'dist', 'main.js')],
  outfile,
  // The default, named because the step below relies on it: code holds ASCII only.
  charset: 'ascii',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external,
  logLevel: 'warning',
  metafile: true,
  // The compiled modules' own maps are followed, so a map of the bundle points into src/.
  sourcemap: true,
});

// V8 keeps a module's source for as long as the module lives, as one byte per character if every
// character is Latin-1 and as two otherwise: the em dashes and ellipses of a few comments made
// the 1.7 MB bundle a 3.4 MB string in every server (decision 0043). esbuild already writes code
// as ASCII (its default charset escapes strings, templates and regular expressions), so what is
// left is in comments; each such character becomes one '?', which keeps every column of the map.
const source = fs.readFileSync(outfile, 'utf8');
const ascii = source.replace(/[\u0080-\u{10ffff}]/gu, (char) => '?'.repeat(char.length));
if (ascii !== source) fs.writeFileSync(outfile, ascii);

const inputs = Object.keys(result.metafile.inputs).length;
const bytes = result.metafile.outputs['dist/bundle/main.js']?.bytes ?? 0;
console.log(`dist/bundle/main.js: ${inputs} modules in one file of ${(bytes / 1024).toFixed(0)} KiB`);
