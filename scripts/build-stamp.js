// Lets `npm start` and `npm run demo` skip the build (tsc and vite, 12 s or more) when dist/ was
// built from exactly the sources there now. The stamp is a SHA-256 of the inputs' contents, not
// of their times: a checkout, a `git stash` or a copy changes mtimes without changing what is
// built, and an edit undone leaves a newer mtime on the same content.
//
//   node scripts/build-stamp.js begin    hash the inputs as the build starts (npm run build)
//   node scripts/build-stamp.js finish   the build succeeded: that hash is what dist/ holds
//   node scripts/build-stamp.js ensure   build (npm run build) unless dist/ is current
//
// Plain JavaScript, run by node itself: loading a TypeScript runner would cost more than the check.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = process.cwd();
const DIST = path.join(ROOT, 'dist');
const STAMP = path.join(DIST, '.build-stamp');
const PENDING = `${STAMP}.pending`;
/** What the build reads: both source trees, the compiler configs, the bundling script, and the dependencies as locked. */
const INPUT_DIRS = ['src', 'web'];
const INPUT_FILES = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts/bundle-server.ts'];
/** What a finished build leaves: the CLI the start runs, the server bundle it loads and the page the server serves. */
const OUTPUTS = [path.join(DIST, 'cli', 'index.js'), path.join(DIST, 'bundle', 'main.js'), path.join(DIST, 'web', 'index.html')];

/** Every file under `dir`, as paths relative to ROOT with `/`, sorted; none when it does not exist. */
function filesUnder(dir) {
  if (!fs.existsSync(path.join(ROOT, dir))) return [];
  return fs
    .readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.parentPath.split(path.sep).includes('node_modules'))
    .map((entry) => path.relative(ROOT, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

/** The inputs' names and contents in one hash (a renamed file changes it as much as an edited one). */
function inputsHash() {
  const hash = createHash('sha256');
  const files = [...INPUT_DIRS.flatMap(filesUnder), ...INPUT_FILES.filter((f) => fs.existsSync(path.join(ROOT, f)))];
  for (const file of files) {
    const content = fs.readFileSync(path.join(ROOT, file));
    hash.update(`${file}\0${content.length}\0`).update(content);
  }
  return hash.digest('hex');
}

const read = (file) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : undefined);

/** True when dist/ was built from the inputs as they are now. */
function current() {
  return OUTPUTS.every((file) => fs.existsSync(file)) && read(STAMP) === inputsHash();
}

const command = process.argv[2];
if (command === 'begin') {
  fs.mkdirSync(DIST, { recursive: true });
  // Until this build finishes, dist/ matches no stamp: a build that fails leaves it stale.
  fs.rmSync(STAMP, { force: true });
  fs.writeFileSync(PENDING, `${inputsHash()}\n`);
} else if (command === 'finish') {
  fs.renameSync(PENDING, STAMP);
} else if (command === 'ensure') {
  if (!current()) {
    process.stderr.write('Building Shipline: dist/ is missing or older than the sources (npm run build)\n');
    const npm = process.env.npm_execpath
      ? { cmd: process.execPath, args: [process.env.npm_execpath] }
      : { cmd: process.platform === 'win32' ? 'npm.cmd' : 'npm', args: [] };
    const build = spawnSync(npm.cmd, [...npm.args, 'run', 'build', '--silent'], { stdio: 'inherit' });
    process.exitCode = build.status ?? 1;
  }
} else {
  process.stderr.write('usage: node scripts/build-stamp.js begin | finish | ensure\n');
  process.exitCode = 2;
}
