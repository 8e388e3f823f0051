import { Type } from 'typebox';
import type { Static } from 'typebox';
import type { ActionContext } from '../../engine/action.js';
import { defineAction } from '../../engine/define-action.js';
import { NonRetriableError } from '../../engine/action.js';
import { emailSettings, smtpError, withTransport } from './client.js';
import { deployLayout } from './layout.js';
import { errorMessage } from '../../core/error-message.js';

const Recipients = (title: string, description: string, placeholder?: string) =>
  Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })], {
    title,
    description,
    ...(placeholder ? { placeholder } : {}),
  });

export const EmailSendConfig = Type.Object(
  {
    connection: Type.String({ title: 'Connection', description: 'The email (SMTP) connection (name)' }),
    to: Type.Optional(
      Recipients('To', "Recipients: an address, a comma-separated list or a list; default the connection's `to`", 'oncall@example.com'),
    ),
    cc: Type.Optional(Recipients('Cc', 'Copy recipients')),
    subject: Type.String({ title: 'Subject', minLength: 1, description: 'The subject line' }),
    text: Type.Optional(Type.String({ title: 'Text body', description: 'The plain-text body' })),
    html: Type.Optional(Type.String({ title: 'HTML body', description: 'The HTML body (used as written)' })),
    layout: Type.Optional(
      Type.Literal('deploy', {
        title: 'Layout',
        examples: ['deploy'],
        description: '"deploy": put the triggering deploy\'s facts (service, environment, version, status, commit, link) above the body',
      }),
    ),
  },
  { additionalProperties: false },
);

export type EmailSendConfig = Static<typeof EmailSendConfig>;

function addresses(value: string | string[] | undefined): string[] {
  const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return list
    .flatMap((entry) => entry.split(','))
    .map((a) => a.trim())
    .filter((a) => a !== '');
}

function asText(list: unknown): string[] {
  return Array.isArray(list) ? list.map((a) => (typeof a === 'string' ? a : String((a as { address?: unknown }).address ?? a))) : [];
}

/**
 * A Message-ID that is the same on every attempt of the step, so a mailbox that receives a
 * retried message twice (the server accepted it but the reply was lost) can tell.
 */
function messageId(ctx: ActionContext, from: string): string {
  const domain = /@([A-Za-z0-9.-]+)/.exec(from)?.[1] ?? 'shipline.invalid';
  return `<shipline.${ctx.idempotencyKey.replace(/[^A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]/g, '-')}@${domain}>`;
}

async function run(ctx: ActionContext, config: EmailSendConfig) {
  const settings = emailSettings(await ctx.connection(config.connection));
  const to = addresses(config.to ?? settings.to ?? undefined);
  if (to.length === 0) throw new NonRetriableError('email.send: no recipients (set `to` on the step or on the connection)');
  const cc = addresses(config.cc);
  let { text, html } = config;
  if (config.layout === 'deploy') ({ text, html } = deployLayout(ctx.event, { text, html }));
  if (text === undefined && html === undefined) throw new NonRetriableError('email.send: give text, html or layout: deploy');

  const info = await withTransport(settings, ctx.signal, (transport) =>
    transport.sendMail({
      from: settings.from,
      to,
      ...(cc.length > 0 ? { cc } : {}),
      subject: config.subject.replace(/[\r\n]+/g, ' '),
      ...(text !== undefined ? { text } : {}),
      ...(html !== undefined ? { html } : {}),
      messageId: messageId(ctx, settings.from),
      headers: { 'X-Shipline-Event': `${ctx.event.type} ${ctx.event.id}` },
    }),
  ).catch((error: unknown) => {
    ctx.log(`SMTP ${settings.host}:${settings.port} refused or failed: ${errorMessage(error)}`);
    throw smtpError(error, settings);
  });
  const output = { messageId: info.messageId, accepted: asText(info.accepted), rejected: asText(info.rejected) };
  ctx.log(
    `sent "${config.subject}" to ${output.accepted.join(', ')}${output.rejected.length ? `; rejected ${output.rejected.join(', ')}` : ''}: ${info.response}`,
  );
  return { channel: 'success', output };
}

export const emailSendAction = defineAction({
  name: 'email.send',
  description: "Sends an email through the connection's SMTP server, optionally laid out around the triggering deploy",
  channels: ['success', 'failed'],
  config: EmailSendConfig,
  exampleOutput: { messageId: '<shipline.run_01J-notify@example.com>', accepted: ['oncall@example.com'], rejected: [] },
  run,
});
