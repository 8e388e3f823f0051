import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { SMTPServerSession } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ShiplineEvent } from '../../core/vocabulary.js';
import { NonRetriableError } from '../../engine/action.js';
import type { ConnectionWithSecrets } from '../../core/connection.js';
import { createTestContext } from '../action-context.test-support.js';
import type { TestContext } from '../action-context.test-support.js';
import { emailConnection } from './index.js';
import { emailSendAction } from './send.js';
import type { EmailSendConfig } from './send.js';

/** A real SMTP server on 127.0.0.1 (smtp-server): PLAIN/LOGIN auth without TLS, recording every message. */
interface Received {
  from: string;
  to: string[];
  user: string | undefined;
  raw: string;
}

const USER = 'shipline';
const PASSWORD = 'smtp-test-password';
const received: Received[] = [];
const auths: Array<{ method: string; username: string }> = [];
let server: SMTPServer;
let port = 0;
let closedPort = 0;

function startServer(options: ConstructorParameters<typeof SMTPServer>[0]): Promise<SMTPServer> {
  const s = new SMTPServer(options);
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(s)));
}

function smtpError(message: string, responseCode: number): Error {
  return Object.assign(new Error(message), { responseCode });
}

beforeAll(async () => {
  server = await startServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    disableReverseLookup: true,
    logger: false,
    onAuth(auth, _session, callback) {
      auths.push({ method: auth.method, username: auth.username ?? '' });
      if (auth.username === USER && auth.password === PASSWORD) return callback(null, { user: USER });
      callback(smtpError('Authentication credentials invalid', 535));
    },
    onRcptTo(address, _session, callback) {
      if (address.address.startsWith('nobody@')) return callback(smtpError('5.1.1 No such user here', 550));
      if (address.address.startsWith('busy@')) return callback(smtpError('4.2.1 Mailbox busy, try again later', 451));
      callback();
    },
    onData(stream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          user: session.user as string | undefined,
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  port = (server.server.address() as AddressInfo).port;
  // A port that was listening a moment ago: connecting there is refused.
  const gone = await startServer({ logger: false });
  closedPort = (gone.server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => gone.close(() => resolve()));
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  received.length = 0;
  auths.length = 0;
});

function connection(
  config: Record<string, unknown> = {},
  secrets: Record<string, string> = { user: USER, password: PASSWORD },
): ConnectionWithSecrets {
  return {
    id: 'c-email',
    name: 'email',
    type: 'email',
    state: {},
    endpointId: 'e',
    createdAt: '',
    updatedAt: '',
    config: { host: '127.0.0.1', port, from: 'Shipline <shipline@example.com>', to: 'oncall@example.com', ...config },
    secrets,
  };
}

function context(conn = connection(), event?: ShiplineEvent): TestContext {
  return createTestContext({ allowHosts: ['127.0.0.1'], connections: { email: conn }, ...(event ? { event } : {}) });
}

const send = (t: TestContext, config: Partial<EmailSendConfig>) =>
  emailSendAction.run(t.ctx, { connection: 'email', subject: 'Deploy failed', ...config } as EmailSendConfig);

/** Headers (unfolded, lower-cased names) and the decoded text/plain and text/html parts of a raw message. */
function parse(raw: string): { headers: Record<string, string>; text: string | undefined; html: string | undefined } {
  const parts: Record<string, string> = {};
  const split = (entity: string) => {
    const at = entity.indexOf('\r\n\r\n');
    const headers: Record<string, string> = {};
    for (const line of entity
      .slice(0, at)
      .replace(/\r\n[ \t]+/g, ' ')
      .split('\r\n')) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    return { headers, body: entity.slice(at + 4) };
  };
  const walk = (entity: string) => {
    const { headers, body } = split(entity);
    const type = headers['content-type'] ?? 'text/plain';
    const boundary = /boundary="?([^";]+)"?/.exec(type)?.[1];
    if (type.startsWith('multipart/') && boundary) {
      for (const part of body.split(`--${boundary}`).slice(1, -1)) walk(part.replace(/^\r\n/, ''));
      return;
    }
    const encoding = headers['content-transfer-encoding'] ?? '7bit';
    let decoded = body.replace(/\r\n$/, '');
    if (encoding === 'quoted-printable') {
      decoded = Buffer.from(
        decoded.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
        'latin1',
      ).toString('utf8');
    } else if (encoding === 'base64') decoded = Buffer.from(decoded, 'base64').toString('utf8');
    parts[type.split(';')[0]!] = decoded.replace(/\r\n/g, '\n');
  };
  walk(raw);
  return { headers: split(raw).headers, text: parts['text/plain'], html: parts['text/html'] };
}

describe('email.send', () => {
  it('sends through the SMTP server with PLAIN auth, the envelope and headers asked for, and reports who accepted', async () => {
    const t = context();
    const result = await send(t, {
      to: ['dev@example.com', 'ops@example.com'],
      cc: 'lead@example.com',
      text: 'Run 88 failed at step migrate.',
    });
    expect(result).toEqual({
      channel: 'success',
      output: {
        messageId: '<shipline.run_test-step1@example.com>',
        accepted: ['dev@example.com', 'ops@example.com', 'lead@example.com'],
        rejected: [],
      },
    });
    expect(auths).toEqual([{ method: 'PLAIN', username: USER }]);
    expect(received).toHaveLength(1);
    const mail = received[0]!;
    expect(mail).toMatchObject({
      from: 'shipline@example.com',
      to: ['dev@example.com', 'ops@example.com', 'lead@example.com'],
      user: USER,
    });
    const { headers, text, html } = parse(mail.raw);
    expect(headers.from).toBe('Shipline <shipline@example.com>');
    expect(headers.to).toBe('dev@example.com, ops@example.com');
    expect(headers.cc).toBe('lead@example.com');
    expect(headers.subject).toBe('Deploy failed');
    expect(headers['message-id']).toBe('<shipline.run_test-step1@example.com>');
    expect(headers['x-shipline-event']).toBe('deploy.recorded evt_test');
    expect(text).toBe('Run 88 failed at step migrate.');
    expect(html).toBeUndefined();
    await t.close();
  });

  it("sends to the connection's default recipients and splits a comma-separated list", async () => {
    const t = context();
    await send(t, { text: 'x' });
    expect(received[0]!.to).toEqual(['oncall@example.com']);
    await send(t, { to: 'a@example.com, b@example.com', text: 'x' });
    expect(received[1]!.to).toEqual(['a@example.com', 'b@example.com']);
    await t.close();
  });

  it("lays the message out around the triggering deploy, escaping the event's values", async () => {
    const event = JSON.parse(fs.readFileSync(new URL('./fixtures/deploy-recorded-failed.json', import.meta.url), 'utf8')) as ShiplineEvent;
    (event.data as { description: string }).description = 'migrate <failed> & rolled back';
    const t = context(connection(), event);
    await send(t, { layout: 'deploy', text: 'Please look at <this>.' });
    const { headers, text, html } = parse(received[0]!.raw);
    expect(headers['content-type']).toMatch(/^multipart\/alternative/);
    expect(text).toContain('api 1.4.2 to production: failed');
    expect(text).toContain('Deployed by: alice@example.com');
    expect(text).toContain('Commit: f95f852bd8fc Add the invoices index');
    expect(text).toContain('Link: https://ci.example/run/88');
    expect(text).toContain('Please look at <this>.');
    expect(html).toContain('<h2 style="margin:0 0 12px;color:#cf222e">api 1.4.2 to production: failed</h2>');
    expect(html).toContain('<a href="https://ci.example/run/88">https://ci.example/run/88</a>');
    expect(html).toContain('<p>Please look at &lt;this&gt;.</p>');
    expect(html).not.toContain('<this>');
    await t.close();
  });

  it('delivers to the accepted recipients and lists the rejected ones', async () => {
    const t = context();
    const result = await send(t, { to: ['dev@example.com', 'nobody@example.com'], text: 'x' });
    expect((result as { channel: string }).channel).toBe('success');
    expect((result as { output: unknown }).output).toMatchObject({ accepted: ['dev@example.com'], rejected: ['nobody@example.com'] });
    expect(received[0]!.to).toEqual(['dev@example.com']);
    await t.close();
  });

  it('fails without retrying when the server permanently rejects every recipient (550)', async () => {
    const t = context();
    const error = await send(t, { to: 'nobody@example.com', text: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetriableError);
    expect((error as Error).message).toMatch(/550.*No such user/);
    expect(received).toHaveLength(0);
    await t.close();
  });

  it('retries a temporary rejection (451)', async () => {
    const t = context();
    const error = await send(t, { to: 'busy@example.com', text: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(NonRetriableError);
    expect((error as Error).message).toMatch(/451.*Mailbox busy/);
    await t.close();
  });

  it('fails without retrying on bad credentials (535)', async () => {
    const t = context(connection({}, { user: USER, password: 'wrong' }));
    const error = await send(t, { text: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetriableError);
    expect((error as Error).message).toMatch(/535 Authentication credentials invalid/);
    expect(received).toHaveLength(0);
    await t.close();
  });

  it('retries when the server cannot be reached', async () => {
    const t = context(connection({ port: closedPort }));
    const error = await send(t, { text: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(NonRetriableError);
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
    await t.close();
  });

  it('refuses a message without recipients, without a body, or on a connection of another type', async () => {
    const t = context(connection({ to: undefined }));
    await expect(send(t, { text: 'x' })).rejects.toThrow(NonRetriableError);
    await expect(send(t, { to: 'a@example.com' })).rejects.toThrow(/give text, html or layout/);
    const other = createTestContext({ connections: { email: { ...connection(), type: 'slack' } } });
    await expect(send(other, { to: 'a@example.com', text: 'x' })).rejects.toThrow(/is a slack connection, not email/);
    expect(received).toHaveLength(0);
    await Promise.all([t.close(), other.close()]);
  });

  it('refuses to send in clear when TLS is required and the server offers no STARTTLS', async () => {
    const t = context(connection({ requireTLS: true }));
    const error = await send(t, { text: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetriableError);
    expect(received).toHaveLength(0);
    await t.close();
  });
});

describe('email connection test', () => {
  const signal = new AbortController().signal;
  const http = { request: () => Promise.reject(new Error('SMTP does not use HTTP')) };

  it('is ready when the server greets and the login succeeds', async () => {
    expect(await emailConnection.test(connection(), http, signal)).toEqual({
      status: 'ready',
      details: { host: '127.0.0.1', port, secure: false, authenticated: true },
    });
    expect(auths).toEqual([{ method: 'PLAIN', username: USER }]);
  });

  it("reports the server's answer to a bad login", async () => {
    const check = await emailConnection.test(connection({}, { user: USER, password: 'wrong' }), http, signal);
    expect(check.status).toBe('error');
    expect(check.error).toMatch(/535 Authentication credentials invalid/);
  });

  it('reports an unreachable server', async () => {
    const check = await emailConnection.test(connection({ port: closedPort }), http, signal);
    expect(check).toMatchObject({ status: 'error', error: expect.stringMatching(/ECONNREFUSED/) });
  });
});
