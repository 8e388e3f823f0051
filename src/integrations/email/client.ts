import type Nodemailer from 'nodemailer';
import { loadOnce } from '../../core/load-once.js';
import { Type } from 'typebox';
import { NonRetriableError } from '../../engine/action.js';
import type { ConnectionWithSecrets } from '../../core/connection.js';
import { readConnection } from '../read-connection.js';

/**
 * SMTP through nodemailer. Unlike the HTTP integrations this does not go through `ctx.http`:
 * nodemailer opens its own sockets, straight to the host the connection names, so the SSRF
 * policy of SHIPLINE_ALLOW_HOSTS does not apply here. That is acceptable because only admins
 * create connections and choose the host; a reaction can choose recipients, never the server.
 */

export const EmailConfig = Type.Object(
  {
    host: Type.String({
      title: 'SMTP host',
      placeholder: 'smtp.example.com',
      minLength: 1,
      description: 'The SMTP server, e.g. smtp.example.com',
    }),
    port: Type.Optional(
      Type.Integer({ title: 'SMTP port', minimum: 1, maximum: 65535, description: 'The SMTP port; default 587, or 465 when secure' }),
    ),
    secure: Type.Optional(
      Type.Boolean({
        title: 'TLS from the start',
        default: false,
        description: 'TLS from the first byte (port 465); default false: plain, upgraded with STARTTLS when the server offers it',
      }),
    ),
    requireTLS: Type.Optional(
      Type.Boolean({
        title: 'Require STARTTLS',
        description: 'Refuse to send unless the server offers STARTTLS (when not secure); default false',
      }),
    ),
    from: Type.String({
      title: 'From',
      placeholder: 'Shipline <shipline@example.com>',
      minLength: 3,
      description: 'The sender, e.g. "Shipline <shipline@example.com>"',
    }),
    to: Type.Optional(
      Type.String({
        title: 'Default recipients',
        placeholder: 'oncall@example.com, releases@example.com',
        description: 'Default recipients (comma-separated) for email.send steps that name none',
      }),
    ),
  },
  { additionalProperties: false },
);

export const EmailSecrets = Type.Object(
  {
    user: Type.Optional(Type.String({ title: 'SMTP user', description: 'SMTP user name; omit for a server that needs no login' })),
    password: Type.Optional(Type.String({ title: 'SMTP password', description: 'SMTP password' })),
  },
  { additionalProperties: false },
);

export const emailSchemas = { type: 'email', config: EmailConfig, secrets: EmailSecrets };

export interface EmailSettings {
  host: string;
  port: number;
  secure: boolean;
  requireTLS: boolean;
  from: string;
  to: string | null;
  user: string | null;
  password: string | null;
}

/** The connection's settings with defaults applied; a non-email connection is a config error. */
export function emailSettings(connection: ConnectionWithSecrets): EmailSettings {
  const { config, secrets } = readConnection(emailSchemas, connection);
  const secure = config.secure === true;
  return {
    host: config.host,
    port: config.port ?? (secure ? 465 : 587),
    secure,
    requireTLS: config.requireTLS === true,
    from: config.from,
    to: config.to ?? null,
    user: secrets.user ?? null,
    password: secrets.password ?? null,
  };
}

// Loaded when a step first sends or a connection is tested, not with the server.
const nodemailer = loadOnce(async () => (await import('nodemailer')).default);

/** A one-off transport (no pool: reactions send rarely, and a pool would outlive the step). */
export async function createTransport(settings: EmailSettings): Promise<Transport> {
  return (await nodemailer()).createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    requireTLS: settings.requireTLS,
    ...(settings.user ? { auth: { user: settings.user, pass: settings.password ?? '' } } : {}),
    // nodemailer waits 2 min to connect and 10 min of silence by default; a step has less.
    connectionTimeout: 20_000,
    greetingTimeout: 20_000,
    socketTimeout: 60_000,
    dnsTimeout: 20_000,
    // Message content comes from reactions: it must never make the server read files or URLs.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
}

export type Transport = ReturnType<typeof Nodemailer.createTransport>;

/** Runs `work`, closing the transport when it ends or when `signal` aborts (nodemailer takes no signal). */
export async function withTransport<T>(
  settings: EmailSettings,
  signal: AbortSignal,
  work: (transport: Transport) => Promise<T>,
): Promise<T> {
  const transport = await createTransport(settings);
  let onAbort: (() => void) | undefined;
  try {
    signal.throwIfAborted();
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => {
        transport.close();
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
    return await Promise.race([work(transport), aborted]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
    transport.close();
  }
}

interface SmtpError {
  message?: string;
  code?: string;
  responseCode?: number;
  command?: string;
}

/** Errors no retry can fix: bad credentials, TLS the server cannot do, a message or envelope nodemailer refuses. */
const PERMANENT_CODES = new Set(['EAUTH', 'ENOAUTH', 'ETLS', 'EREQUIRETLS', 'EENVELOPE', 'EMESSAGE', 'ECONFIG', 'EMAXRECIPIENTS']);

/**
 * SMTP's own answer decides: 5xx is permanent, 4xx temporary (greylisting, a full mailbox,
 * a busy server). Without a reply code, nodemailer's error code decides; connection and
 * timeout errors stay retriable.
 */
export function smtpError(error: unknown, settings: EmailSettings): Error {
  const e = (error ?? {}) as SmtpError;
  const message = `SMTP ${settings.host}:${settings.port}: ${e.message ?? String(error)}`;
  if (typeof e.responseCode === 'number') {
    if (e.responseCode >= 500) return new NonRetriableError(message);
    return new Error(message);
  }
  if (e.code && PERMANENT_CODES.has(e.code)) return new NonRetriableError(message);
  return new Error(message);
}
