import fs from 'node:fs';

/**
 * The data directory holds the database (every event, run record and encrypted secret) and, unless
 * SHIPLINE_MASTER_KEY is set, the key that decrypts those secrets. Only Shipline's own user may
 * read any of it: the directory is 0700 and the files Shipline keeps there 0600, set explicitly
 * (whatever the process umask) and narrowed when an earlier start or a copy left them looser.
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

const STICKY = 0o1000;
const ownedByMe = (st: fs.Stats) => typeof process.getuid !== 'function' || st.uid === process.getuid();

/**
 * Creates `dir` (and missing parents) with mode 0700, or narrows an existing one to 0700 when this
 * user owns it. A directory of another user, or a shared one (the sticky bit, as /tmp has), is not
 * Shipline's to close: `warn` says so and it is left alone.
 */
export function ensurePrivateDir(dir: string, warn: (message: string) => void = () => undefined): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const st = fs.statSync(dir);
  if ((st.mode & 0o7777) === PRIVATE_DIR_MODE) return;
  if (!ownedByMe(st) || (st.mode & STICKY) !== 0) {
    if ((st.mode & 0o077) !== 0)
      warn(`the data directory ${dir} is readable by other users (mode ${(st.mode & 0o777).toString(8)}) and not Shipline's to change`);
    return;
  }
  fs.chmodSync(dir, PRIVATE_DIR_MODE);
}

/**
 * Narrows an existing file this user owns to 0600 when group or others have any access (a file
 * of an earlier version, or copied in under a loose umask). Absent files are skipped. Best effort:
 * a read-only mount keeps its mode.
 */
export function tightenFile(file: string): void {
  try {
    const st = fs.statSync(file);
    if ((st.mode & 0o077) !== 0 && ownedByMe(st)) fs.chmodSync(file, PRIVATE_FILE_MODE);
  } catch {
    // Absent, or not ours to change: leave it.
  }
}

/**
 * Creates `file` (failing with EEXIST if it exists) with mode 0600 whatever the umask, and returns
 * its descriptor: the mode given to open is narrowed by the umask, never widened, so it is set again.
 */
export function createPrivateFile(file: string): number {
  const fd = fs.openSync(file, 'wx', PRIVATE_FILE_MODE);
  try {
    fs.fchmodSync(fd, PRIVATE_FILE_MODE);
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
  return fd;
}

/**
 * Makes the SQLite database file exist with mode 0600 before SQLite opens it, and narrows its
 * -wal and -shm if they exist. SQLite creates a database with 0644, but gives its -wal and -shm
 * the database file's own mode, so all three end up 0600. (An empty file is an empty database.)
 */
export function preparePrivateDatabase(file: string): void {
  try {
    fs.closeSync(createPrivateFile(file));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  for (const f of [file, `${file}-wal`, `${file}-shm`]) tightenFile(f);
}
