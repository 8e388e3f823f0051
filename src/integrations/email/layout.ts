import type { ShiplineEvent } from '../../core/vocabulary.js';
import type { DeployFacts } from '../deploy-facts.js';
import { deployFacts } from '../deploy-facts.js';

/**
 * The `deploy` layout of `email.send`: the facts of the triggering deploy (service, environment,
 * version, status, who, commit, link) as a small table above the step's own text or HTML, in
 * both an HTML and a plain-text part. Everything from the event is escaped; the step's `html` is
 * the reaction author's and goes in as written.
 */

const STATUS_COLOUR: Record<string, string> = { succeeded: '#1a7f37', failed: '#cf222e', started: '#9a6700', queued: '#57606a' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function rows(facts: DeployFacts): Array<[string, string]> {
  const commit = facts.commitSha
    ? `${facts.commitSha.slice(0, 12)}${facts.commitMessage ? ` ${facts.commitMessage.split('\n')[0]}` : ''}`
    : null;
  const all: Array<[string, string | null]> = [
    ['Service', facts.service],
    ['Environment', facts.environment],
    ['Version', facts.version],
    ['Status', facts.status],
    ['Deployed by', facts.user],
    ['Commit', commit],
    ['Branch', facts.branch],
    ['When', facts.at],
    ['Link', facts.url],
  ];
  return all.filter((row): row is [string, string] => row[1] !== null);
}

function headline(facts: DeployFacts): string {
  const what = [facts.service ?? 'Deploy', facts.version].filter(Boolean).join(' ');
  const where = facts.environment ? ` to ${facts.environment}` : '';
  return `${what}${where}${facts.status ? `: ${facts.status}` : ''}`;
}

export interface LayoutInput {
  text?: string;
  html?: string;
}

/** The message parts of the deploy layout for `event`. */
export function deployLayout(event: ShiplineEvent, input: LayoutInput): { text: string; html: string } {
  const facts = deployFacts(event);
  const table = rows(facts);
  const title = headline(facts);

  const textLines = [title, '', ...table.map(([k, v]) => `${k}: ${v}`)];
  if (input.text) textLines.push('', input.text);
  textLines.push('', `-- Shipline (event ${event.type} ${event.id})`);

  const colour = STATUS_COLOUR[facts.status ?? ''] ?? '#24292f';
  const cell = 'padding:4px 12px 4px 0;vertical-align:top';
  const tableHtml = table
    .map(([k, v]) => {
      const value = k === 'Link' && /^https?:\/\//i.test(v) ? `<a href="${escapeHtml(v)}">${escapeHtml(v)}</a>` : escapeHtml(v);
      return `<tr><th align="left" style="${cell};color:#57606a;font-weight:normal">${escapeHtml(k)}</th><td style="${cell}">${value}</td></tr>`;
    })
    .join('\n');
  const body =
    input.html ??
    (input.text
      ? input.text
          .split(/\n\s*\n/)
          .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
          .join('\n')
      : '');
  const html = [
    '<!doctype html>',
    '<html><body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;font-size:14px;color:#24292f">',
    `<h2 style="margin:0 0 12px;color:${colour}">${escapeHtml(title)}</h2>`,
    `<table style="border-collapse:collapse">\n${tableHtml}\n</table>`,
    body,
    `<p style="color:#8c959f;font-size:12px">Sent by Shipline for event ${escapeHtml(event.type)} ${escapeHtml(event.id)}</p>`,
    '</body></html>',
  ]
    .filter((part) => part !== '')
    .join('\n');
  return { text: textLines.join('\n'), html };
}
