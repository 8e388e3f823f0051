import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { KEY_BYTES, parseMasterKey } from '../core/secret-box.js';

export const MASTER_KEY_FILE = 'master.key';

export interface MasterKeyOptions {
  /** SHIPLINE_MASTER_KEY; unset: the key file in `dataDir`. */
  masterKey?: string | undefined;
  dataDir: string;
}

/**
 * The key that encrypts secrets at rest: the configured one, else `<dataDir>/master.key`, created
 * on first use with mode 0600. Losing the file makes every stored secret unreadable.
 */
export function loadMasterKey({ masterKey, dataDir }: MasterKeyOptions): Buffer {
  if (masterKey) return parseMasterKey(masterKey);
  const file = path.join(dataDir, MASTER_KEY_FILE);
  return readKeyFile(file) ?? createKeyFile(file);
}

function readKeyFile(file: string): Buffer | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  tightenMode(file);
  try {
    return parseMasterKey(text);
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * A key file others can read (copied in with a loose umask, say) is narrowed to 0600 rather than
 * warned about. Best effort: a read-only mount keeps its mode, and the key is still usable.
 */
function tightenMode(file: string): void {
  try {
    if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
  } catch {
    // Not ours to change (another owner, read-only file system): leave it.
  }
}

function createKeyFile(file: string): Buffer {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const key = randomBytes(KEY_BYTES);
  // Written to a private temp file, then linked into place: `link` fails if the name exists, so of
  // two processes starting at once exactly one key wins and nobody ever reads a half-written file
  // (a plain `wx` open would make the name visible before its content is written).
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = fs.openSync(temp, 'wx', 0o600);
  try {
    fs.writeSync(fd, `${key.toString('base64')}\n`);
    // On disk before the name exists: a crash must not leave an empty key file behind.
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.linkSync(temp, file);
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    // Another process created it first: use theirs.
    const theirs = readKeyFile(file);
    if (!theirs) throw err;
    return theirs;
  } finally {
    fs.rmSync(temp, { force: true });
  }
}
