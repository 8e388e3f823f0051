import type { ConnectionType } from '../connection-type.js';
import { EmailConfig, EmailSecrets, emailSettings, withTransport } from './client.js';
import { emailSendAction } from './send.js';
import { emailTemplates } from './templates.js';
import { errorMessage } from '../../core/error-message.js';

/**
 * Email over SMTP (nodemailer). The connection names the server and the sender; `email.send`
 * names recipients and content. SMTP connects straight to the configured host (not through
 * `ctx.http` and its SSRF guard): only admins create connections.
 */
export const emailConnection: ConnectionType = {
  type: 'email',
  title: 'Email (SMTP)',
  description:
    'Sends email through an SMTP server you name (host, port, TLS, sender, optional login). Used by email.send, e.g. to mail the on-call list when a production deploy fails.',
  config: EmailConfig,
  secrets: EmailSecrets,
  async test(connection, _http, signal) {
    try {
      const settings = emailSettings(connection);
      // verify() resolves after DNS, TCP, TLS and login; it does not prove the sender is accepted.
      await withTransport(settings, signal, (transport) => transport.verify());
      return {
        status: 'ready',
        details: { host: settings.host, port: settings.port, secure: settings.secure, authenticated: settings.user !== null },
      };
    } catch (error) {
      return { status: 'error', error: errorMessage(error) };
    }
  },
  actions: [emailSendAction],
  templates: emailTemplates,
  scriptEnv: {
    variables: [
      { name: 'SMTP_HOST', description: 'The SMTP server', secret: false },
      { name: 'SMTP_PORT', description: 'The port (587, or 465 with TLS from the start, unless configured)', secret: false },
      { name: 'SMTP_SECURE', description: '`true` for TLS from the first byte, else `false` (STARTTLS when offered)', secret: false },
      { name: 'SMTP_FROM', description: 'The sender', secret: false },
      { name: 'SMTP_TO', description: 'The default recipients (comma-separated), when configured', secret: false },
      { name: 'SMTP_USER', description: 'The login, when the server needs one', secret: true },
      { name: 'SMTP_PASSWORD', description: 'The password, when the server needs one', secret: true },
    ],
    values(connection) {
      const settings = emailSettings(connection);
      return {
        SMTP_HOST: settings.host,
        SMTP_PORT: String(settings.port),
        SMTP_SECURE: String(settings.secure),
        SMTP_FROM: settings.from,
        ...(settings.to ? { SMTP_TO: settings.to } : {}),
        ...(settings.user ? { SMTP_USER: settings.user } : {}),
        ...(settings.password ? { SMTP_PASSWORD: settings.password } : {}),
      };
    },
  },
};
