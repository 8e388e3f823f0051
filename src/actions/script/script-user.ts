import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { NonRetriableError } from '../../engine/action.js';

/**
 * Who a script runs as. A script is code from a reaction document, run on the Shipline host:
 * when Shipline runs as root it drops to an unprivileged user (SHIPLINE_SCRIPT_USER, default
 * `nobody`), so the script cannot read Shipline's data directory, its secret files or its
 * process environment (`/proc/<pid>/environ` is readable only by the same user).
 */

/** The default SHIPLINE_SCRIPT_USER. */
export const DEFAULT_SCRIPT_USER = 'nobody';

export interface ScriptUser {
  /** As configured (a name, `uid` or `uid:gid`), for messages. */
  name: string;
  uid: number;
  gid: number;
}

/** Numeric ids of this process; undefined where there are none (Windows). */
function currentUid(): number | undefined {
  return typeof process.getuid === 'function' ? process.getuid() : undefined;
}

/** A name from /etc/passwd, or a numeric `uid` / `uid:gid` (for users only a directory service knows). */
async function lookUp(spec: string): Promise<ScriptUser> {
  const numeric = /^(\d+)(?::(\d+))?$/.exec(spec);
  if (numeric) {
    const uid = Number(numeric[1]);
    return { name: spec, uid, gid: numeric[2] === undefined ? uid : Number(numeric[2]) };
  }
  const passwd = await readFile('/etc/passwd', 'utf8').catch(() => '');
  for (const line of passwd.split('\n')) {
    const [name, , uid, gid] = line.split(':');
    if (name === spec && /^\d+$/.test(uid ?? '') && /^\d+$/.test(gid ?? '')) return { name: spec, uid: Number(uid), gid: Number(gid) };
  }
  throw new NonRetriableError(
    `script: SHIPLINE_SCRIPT_USER names no user of this host: "${spec}" is not in /etc/passwd (a numeric uid:gid also works)`,
  );
}

/**
 * The user to switch to, or undefined to run as Shipline's own user. As root: the configured user,
 * default `nobody`. Not root: Shipline cannot switch users, so a configured user other than its own
 * is an error rather than a promise silently not kept.
 */
export async function scriptUser(configured: string | undefined): Promise<ScriptUser | undefined> {
  const uid = currentUid();
  if (uid === undefined) return undefined;
  if (uid === 0) {
    const user = await lookUp(configured ?? DEFAULT_SCRIPT_USER);
    return user.uid === 0 ? undefined : user;
  }
  if (configured === undefined) return undefined;
  const user = await lookUp(configured);
  if (user.uid === uid) return undefined;
  throw new NonRetriableError(
    `script: SHIPLINE_SCRIPT_USER=${configured} needs Shipline to run as root (it runs as uid ${uid} and cannot switch users)`,
  );
}

/** The permission bits (of rwx, as 4/2/1) that `user` has on a file of this owner, group and mode. */
function bitsFor(user: ScriptUser, st: { uid: number; gid: number; mode: number }): number {
  if (st.uid === user.uid) return (st.mode >> 6) & 7;
  // Spawning with a uid drops the supplementary groups: the script has only its primary group.
  if (st.gid === user.gid) return (st.mode >> 3) & 7;
  return st.mode & 7;
}

/**
 * What `user` can do with `target` by its mode bits: nothing when a directory on the way lacks
 * search (x) permission for it. POSIX ACLs are not consulted.
 */
async function accessOf(user: ScriptUser, target: string): Promise<number> {
  // The real path: a link's own parents say nothing of who can reach what it points to.
  const absolute = await realpath(path.resolve(target));
  const parts = absolute.split(path.sep).filter((p) => p.length > 0);
  let current = path.parse(absolute).root;
  for (const part of parts) {
    if (!(bitsFor(user, await stat(current)) & 1)) return 0;
    current = path.join(current, part);
  }
  return bitsFor(user, await stat(absolute));
}

/**
 * Refuses to run as `user` when it could read one of `privatePaths` (the data directory, secret
 * files): a script would then take Shipline's store or keys. Paths that do not exist are skipped.
 */
export async function assertCannotRead(user: ScriptUser, privatePaths: readonly string[]): Promise<void> {
  for (const target of privatePaths) {
    const st = await stat(target).catch(() => undefined);
    if (!st) continue;
    const bits = await accessOf(user, target);
    // A directory it may search (x) lets it open the files in it by name; one it may read (r) lists them.
    const exposed = st.isDirectory() ? (bits & 5) !== 0 : (bits & 4) !== 0;
    if (exposed) {
      const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
      throw new NonRetriableError(
        `script: refusing to run as ${user.name}: it could read ${target} (mode ${mode}, owner uid ${st.uid}); ` +
          `make it private to Shipline's user (chmod ${st.isDirectory() ? '700' : '600'} ${target})`,
      );
    }
  }
}
