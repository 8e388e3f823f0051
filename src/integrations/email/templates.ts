import type { ReactionTemplate } from '../connection-type.js';
import { connectionBlank, spot } from '../template-blanks.js';

/** Ready-made reactions using `email.send`; only the connection name needs filling in. */
export const emailTemplates: ReactionTemplate[] = [
  {
    name: 'email-on-production-failure',
    description: "Email the connection's default recipients when a deploy to production fails",
    yaml: `name: email-on-production-failure
description: Email the on-call list when a deploy to production fails
on:
  event: deploy.failed   # every failure once: reported by a pipeline, Octopus or GitHub, or marked by someone
  filter: { environment: [production, prod] }
steps:
  notify:
    uses: email.send
    with:
      connection: email          # the email connection; its \`to\` is the default recipient list
      subject: "Deploy failed: {{ data.service.name | default: data.serviceAlias }} {{ data.deployNumber }} to {{ data.environment }}"
      layout: deploy
      text: "{{ data.failure.reason | default: 'No reason was given.' }}"
    retry: { attempts: 5, backoff: exponential, initial: 30s, max: 10m }
`,
    blanks: [connectionBlank('email', 'Email', spot('steps', 'notify', 'with', 'connection'))],
  },
];
