import { parseDuration } from './core/reactions/durations.js';
import fs from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { trimTrailingSlashes } from './core/urls.js';
import { errorMessage } from './core/error-message.js';

/**
 * Every setting Shipline reads, in one place: its environment variable, default and meaning.
 * The configuration table in docs/operations.md is checked against this list by a test.
 */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  /** Unset: the URL of the port the server listens on, under `localhost`. */
  publicUrl: string | undefined;
  adminToken: string | undefined;
  logLevel: string;
  /** Largest accepted request body, in bytes. */
  bodyLimit: number;
  /** Steps one process runs at the same time. */
  workers: number;
  /** How long a claimed job stays leased without renewal. */
  jobLeaseMs: number;
  /** Hosts and CIDRs outgoing requests may reach although private, loopback or link-local. */
  allowHosts: string[];
  /** Whether the `script` action may run. */
  scriptsEnabled: boolean;
  /** Who scripts run as when Shipline runs as root; unset: `nobody`. */
  scriptUser: string | undefined;
  /** 32-byte key (base64 or 64 hex digits) that encrypts secrets; unset: a key file in the data dir. */
  masterKey: string | undefined;
  /** How often every Octopus subscription is checked and repaired, in ms. */
  octopusReconcileMs: number;
  /** Fastify's `trustProxy`: which proxies' X-Forwarded-* headers to believe (false: none). */
  trustProxy: TrustProxy;
  /** The files secret settings were read from (`*_FILE`), which scripts must not be able to read. */
  secretFiles: string[];
}

/** `true` (every hop), `false` (none), a hop count, or the proxies' addresses and CIDRs. */
export type TrustProxy = boolean | number | string[];

interface Setting<K extends keyof Config> {
  key: K;
  env: string;
  default: string;
  doc: string;
  /**
   * The value may instead be read from the file named by `<env>_FILE` (as with Docker and
   * systemd credentials), so it never sits in Shipline's environment, which any process of the
   * same user can read in /proc/<pid>/environ. Default false.
   */
  fromFile?: boolean;
  parse(raw: string | undefined): Config[K];
}

type AnySetting = { [K in keyof Config]: Setting<K> }[Exclude<keyof Config, 'secretFiles'>];

export class ConfigError extends Error {}

function integer(env: string, min: number, max: number) {
  return (raw: string): number => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new ConfigError(`${env} must be a whole number from ${min} to ${max}, got '${raw}'`);
    }
    return value;
  };
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export const SETTINGS: readonly AnySetting[] = [
  {
    key: 'port',
    env: 'SHIPLINE_PORT',
    default: '8080',
    doc: 'TCP port the server listens on (0 picks a free one).',
    parse: (raw) => integer('SHIPLINE_PORT', 0, 65535)(raw ?? '8080'),
  },
  {
    key: 'host',
    env: 'SHIPLINE_HOST',
    default: '127.0.0.1',
    doc: 'Address the server binds; use 0.0.0.0 to accept connections from other hosts.',
    parse: (raw) => raw || '127.0.0.1',
  },
  {
    key: 'dataDir',
    env: 'SHIPLINE_DATA_DIR',
    default: './data',
    doc: 'Directory of the embedded SQLite store (`shipline.db`). Unused with DATABASE_URL.',
    parse: (raw) => path.resolve(raw || './data'),
  },
  {
    key: 'databaseUrl',
    env: 'DATABASE_URL',
    default: '(unset)',
    doc: 'A `postgres://` or `postgresql://` URL switches the store to PostgreSQL.',
    fromFile: true,
    parse: (raw) => {
      if (!raw) return undefined;
      if (!/^postgres(ql)?:\/\//.test(raw)) {
        throw new ConfigError('DATABASE_URL must start with postgres:// or postgresql://');
      }
      return raw;
    },
  },
  {
    key: 'publicUrl',
    env: 'SHIPLINE_PUBLIC_URL',
    default: 'http://localhost:<port listened on>',
    doc: 'Base of the URLs the server hands out, such as deploy endpoint URLs.',
    parse: (raw) => trimTrailingSlashes(raw ?? '') || undefined,
  },
  {
    key: 'adminToken',
    env: 'SHIPLINE_ADMIN_TOKEN',
    default: '(unset)',
    doc: 'If set, an admin API token with this value exists. Otherwise the first start generates one and prints it once.',
    fromFile: true,
    parse: (raw) => {
      if (raw && raw.length < 16) throw new ConfigError('SHIPLINE_ADMIN_TOKEN must be at least 16 characters');
      return raw || undefined;
    },
  },
  {
    key: 'logLevel',
    env: 'SHIPLINE_LOG_LEVEL',
    default: 'info',
    doc: 'Log level: fatal, error, warn, info, debug (adds one line per request), trace or silent.',
    parse: (raw) => {
      const level = raw || 'info';
      if (!LOG_LEVELS.includes(level)) throw new ConfigError(`SHIPLINE_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
      return level;
    },
  },
  {
    key: 'bodyLimit',
    env: 'SHIPLINE_BODY_LIMIT',
    default: '1048576',
    doc: 'Largest request body accepted, in bytes; larger bodies get 413.',
    parse: (raw) => integer('SHIPLINE_BODY_LIMIT', 1024, 64 * 1024 * 1024)(raw ?? '1048576'),
  },
  {
    key: 'workers',
    env: 'SHIPLINE_WORKERS',
    default: '256',
    doc: 'Reaction steps one process runs at the same time. Steps mostly wait on the network, so this is a count of concurrent requests, not threads.',
    parse: (raw) => integer('SHIPLINE_WORKERS', 1, 4096)(raw ?? '256'),
  },
  {
    key: 'jobLeaseMs',
    env: 'SHIPLINE_JOB_LEASE_MS',
    default: '30000',
    doc: 'How long a claimed job stays leased without renewal (renewed every third of it while it runs); after a crash, another process takes the job over once it runs out.',
    parse: (raw) => integer('SHIPLINE_JOB_LEASE_MS', 1000, 3_600_000)(raw ?? '30000'),
  },
  {
    key: 'allowHosts',
    env: 'SHIPLINE_ALLOW_HOSTS',
    default: '(unset)',
    doc: 'Comma-separated hosts and CIDRs that outgoing requests may reach although loopback, private, link-local or cloud metadata (e.g. `127.0.0.1,10.0.0.0/8,hooks.internal`).',
    parse: (raw) =>
      (raw ?? '')
        .split(',')
        .map((h) => h.trim())
        .filter((h) => h.length > 0),
  },
  {
    key: 'scriptsEnabled',
    env: 'SHIPLINE_SCRIPTS',
    default: 'disabled',
    doc: '`enabled` lets the `script` action run shell commands on this host.',
    parse: (raw) => {
      const value = raw || 'disabled';
      if (value !== 'enabled' && value !== 'disabled') throw new ConfigError('SHIPLINE_SCRIPTS must be enabled or disabled');
      return value === 'enabled';
    },
  },
  {
    key: 'scriptUser',
    env: 'SHIPLINE_SCRIPT_USER',
    default: 'nobody',
    doc: "When Shipline runs as root, scripts run as this user (a name in /etc/passwd, or a numeric `uid` or `uid:gid`). Not root: scripts run as Shipline's own user (naming another user makes every script step fail).",
    parse: (raw) => {
      if (raw !== undefined && !/^([A-Za-z_][A-Za-z0-9_.-]*\$?|\d+(:\d+)?)$/.test(raw)) {
        throw new ConfigError(`SHIPLINE_SCRIPT_USER must be a user name or a numeric uid or uid:gid, got '${raw}'`);
      }
      return raw;
    },
  },
  {
    key: 'masterKey',
    env: 'SHIPLINE_MASTER_KEY',
    default: '(unset)',
    doc: 'The 32-byte key (base64, or 64 hex digits) that encrypts secrets at rest. Unset: a key file `master.key` (mode 0600) is created in the data directory.',
    fromFile: true,
    parse: (raw) => raw || undefined,
  },
  {
    key: 'octopusReconcileMs',
    env: 'SHIPLINE_OCTOPUS_RECONCILE_INTERVAL',
    default: '10m',
    doc: "How often each Octopus connection's subscription is checked and repaired (besides at start and whenever reactions or connections change), e.g. `30s`, `10m`, `1h`.",
    parse: (raw) => {
      const ms = parseDuration(raw ?? '10m');
      if (ms === null || ms < 1000)
        throw new ConfigError(`SHIPLINE_OCTOPUS_RECONCILE_INTERVAL must be a duration of at least 1s (e.g. 10m), got '${raw}'`);
      return ms;
    },
  },
  {
    key: 'trustProxy',
    env: 'SHIPLINE_TRUST_PROXY',
    default: 'false',
    doc: "Which reverse proxies' X-Forwarded-For/-Proto/-Host to believe, so the client address (sign-in rate limit) and HTTPS (the session cookie's Secure flag) are right behind a TLS proxy: `false`, `true` (any), a hop count, or comma-separated addresses and CIDRs of the proxies (also `loopback`, `linklocal`, `uniquelocal`).",
    parse: (raw) => parseTrustProxy(raw),
  },
];

// The names proxy-addr (Fastify's trustProxy) knows for address ranges.
const PROXY_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function parseTrustProxy(raw: string | undefined): TrustProxy {
  const value = (raw ?? 'false').trim();
  if (value === 'true' || value === 'false') return value === 'true';
  if (/^\d+$/.test(value)) return integer('SHIPLINE_TRUST_PROXY', 0, 100)(value);
  const entries = value
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
  const bad = entries.find((e) => !PROXY_RANGES.has(e) && !isAddressOrCidr(e));
  if (entries.length === 0 || bad !== undefined) {
    throw new ConfigError(
      `SHIPLINE_TRUST_PROXY must be true, false, a hop count, or comma-separated addresses and CIDRs; '${bad ?? value}' is none of them`,
    );
  }
  return entries;
}

function isAddressOrCidr(entry: string): boolean {
  const [address, bits, ...rest] = entry.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  // proxy-addr also takes an IPv4 netmask after the slash (10.0.0.0/255.0.0.0).
  if (family === 4 && isIP(bits) === 4) return true;
  const n = Number(bits);
  return /^\d+$/.test(bits) && n <= (family === 4 ? 32 : 128);
}

/** Reads the configuration from an environment (default: the process's). Throws ConfigError on bad values. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const config: Partial<Config> = { secretFiles: [] };
  for (const setting of SETTINGS) {
    let raw = env[setting.env] || undefined;
    const file = setting.fromFile ? env[`${setting.env}_FILE`] || undefined : undefined;
    if (file !== undefined) {
      if (raw !== undefined) throw new ConfigError(`Set ${setting.env} or ${setting.env}_FILE, not both`);
      raw = readSettingFile(`${setting.env}_FILE`, file);
      config.secretFiles!.push(path.resolve(file));
    }
    (config as Record<string, unknown>)[setting.key] = setting.parse(raw);
  }
  return config as Config;
}

/** The file's content without its trailing line break(s), as `echo … > file` leaves one. */
function readSettingFile(variable: string, file: string): string {
  let content: string;
  try {
    content = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${variable}: cannot read ${file}: ${errorMessage(err)}`);
  }
  const value = content.replace(/[\r\n]+$/, '');
  if (value === '') throw new ConfigError(`${variable}: ${file} is empty`);
  return value;
}
