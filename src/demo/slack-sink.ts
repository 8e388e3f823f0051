import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The demo's stand-in for a Slack incoming webhook: it answers every POST as Slack does (200,
 * text `ok`) and turns each message into one readable line for the person watching.
 */
export interface SlackSink {
  /** Base URL, e.g. http://127.0.0.1:41234; the webhook URL is `${url}/services/T0/B0/demo`. */
  url: string;
  /** Every message received, as the one line printed for it (without the `[slack]` prefix). */
  readonly messages: readonly string[];
  close(): Promise<void>;
}

const EMOJI: Record<string, string> = {
  ':x:': '✗',
  ':white_check_mark:': '✓',
  ':rocket:': '→',
  ':hourglass_flowing_sand:': '…',
};

/** Slack mrkdwn as plain text: `<url|label>` → label, `*bold*` → bold, entities unescaped. */
export function plainText(mrkdwn: string): string {
  return mrkdwn
    .replace(/<([^|>]+)\|([^>]+)>/g, '$2')
    .replace(/:[a-z_]+:/g, (code) => EMOJI[code] ?? code)
    .replace(/[*_~`]/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The headline (first section block, else `text`), then the facts of the deploy layout's attachment. */
export function describeMessage(body: unknown): string {
  const message = (body ?? {}) as {
    text?: unknown;
    blocks?: Array<{ text?: { text?: unknown } }>;
    attachments?: Array<{ blocks?: Array<{ fields?: Array<{ text?: unknown }> }> }>;
  };
  const headline = message.blocks?.find((b) => typeof b.text?.text === 'string')?.text?.text ?? message.text;
  const facts = (message.attachments ?? [])
    .flatMap((a) => a.blocks ?? [])
    .flatMap((b) => b.fields ?? [])
    .map((f) => (typeof f.text === 'string' ? plainText(f.text.replace('\n', ': ')) : ''))
    .filter((f) => f !== '' && !/^(Service|Environment|Version|Status):/.test(f));
  const line = typeof headline === 'string' ? plainText(headline) : '(a message without text)';
  return facts.length > 0 ? `${line} (${facts.join(', ')})` : line;
}

/** Starts the sink on 127.0.0.1 (an ephemeral port); `print` gets each message's line. */
export async function startSlackSink(print: (line: string) => void): Promise<SlackSink> {
  const messages: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST') {
        res.writeHead(405, { 'content-type': 'text/plain' }).end('invalid_method');
        return;
      }
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        res.writeHead(400, { 'content-type': 'text/plain' }).end('invalid_payload');
        return;
      }
      const line = describeMessage(body);
      messages.push(line);
      print(`[slack] ${line}`);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    messages,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
