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
};
