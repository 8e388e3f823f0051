import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { KEY_BYTES, parseMasterKey } from '../core/secret-box.js';
import { createPrivateFile, ensurePrivateDir, tightenFile } from './file-modes.js';
import { errorMessage } from '../core/error-message.js';

export const MASTER_KEY_FILE = 'master.key';

export interface MasterKeyOptions {
  /** SHIPLINE_MASTER_KEY; unset: the key file in `dataDir`. */
  masterKey?: string | undefined;
  dataDir: string;
  /** Told when the data directory cannot be made private (another user's, or shared). */
  onWarning?: ((message: string) => void) | undefined;
}

/**
 * The key that encrypts secrets at rest: the configured one, else `<dataDir>/master.key`, created
 * on first use with mode 0600. Losing the file makes every stored secret unreadable.
 */
export function loadMasterKey({ masterKey, dataDir, onWarning }: MasterKeyOptions): Buffer {
  if (masterKey) return parseMasterKey(masterKey);
  ensurePrivateDir(dataDir, onWarning);
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
  tightenFile(file);
  try {
    return parseMasterKey(text);
  } catch (err) {
    throw new Error(`${file}: ${errorMessage(err)}`, { cause: err });
  }
}

function createKeyFile(file: string): Buffer {
  const key = randomBytes(KEY_BYTES);
  // Written to a private temp file, then linked into place: `link` fails if the name exists, so of
  // two processes starting at once exactly one key wins and nobody ever reads a half-written file
  // (a plain `wx` open would make the name visible before its content is written).
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = createPrivateFile(temp);
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
