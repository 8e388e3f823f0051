import { Type } from 'typebox';
import type { ShiplineEvent } from '../../core/vocabulary.js';
import { NonRetriableError } from '../../engine/action.js';
import type { DeployOverridesValue, DeployView } from '../deploy-facts.js';
import { DeployOverrides, deployView, shortSha, statusLabel, summary } from '../deploy-facts.js';
import { isWebUrl } from '../../core/urls.js';

/**
 * The content of a Slack message from a step's settings: `text` and `blocks` as given, or the
 * built-in deploy layout (a headline block, then an attachment whose colour bar shows the status,
 * holding the facts and links), always with a plain `text` fallback for notifications.
 */

/** The content settings postMessage and updateMessage share (`connection` goes first in each). */
export const MessageFields = {
  text: Type.Optional(
    Type.String({
      title: 'Text',
      description: 'The message (Slack mrkdwn); with blocks or a layout, the notification fallback and headline',
    }),
  ),
  blocks: Type.Optional(
    Type.Union([Type.Array(Type.Record(Type.String(), Type.Unknown())), Type.String()], {
      title: 'Blocks',
      description: 'Block Kit blocks: a list, or its JSON (e.g. "{{ steps.x.output.blocks | json }}")',
    }),
  ),
  layout: Type.Optional(
    Type.Literal('deploy', {
      title: 'Layout',
      examples: ['deploy'],
      description: 'deploy: the built-in deploy message (service, environment, version, status colour, deployer, commit, links)',
    }),
  ),
  deploy: Type.Optional(DeployOverrides),
  runUrl: Type.Optional(
    Type.String({
      title: 'Run URL',
      placeholder: 'https://shipline.example/runs/{{ run.id }}',
      description: 'A link to the run, shown by the deploy layout (e.g. "https://shipline.example/runs/{{ run.id }}"); omitted when empty',
    }),
  ),
};

export type MessageSettings = {
  text?: string;
  blocks?: Array<Record<string, unknown>> | string;
  layout?: 'deploy';
  deploy?: DeployOverridesValue;
  runUrl?: string;
};

export interface SlackMessage {
  text?: string;
  blocks?: unknown[];
  attachments?: unknown[];
}

/** Slack's limits (Block Kit): longer texts are refused as `invalid_blocks`, so cut them. */
const SECTION_TEXT_MAX = 3000;
const FIELD_MAX = 2000;
const CONTEXT_MAX = 2000;

const COLOURS: Record<string, string> = { succeeded: '#2EB67D', failed: '#E01E5A', started: '#1D9BD1', queued: '#ECB22E' };
const NEUTRAL = '#A0A0A0';
const EMOJI: Record<string, string> = {
  succeeded: ':white_check_mark:',
  failed: ':x:',
  started: ':rocket:',
  queued: ':hourglass_flowing_sand:',
};

/** Slack mrkdwn control characters, as Slack asks them escaped. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** `<url|label>`, with the characters that would end the link escaped. */
function link(url: string, label: string): string {
  const safeUrl = url.replace(/\|/g, '%7C').replace(/>/g, '%3E').replace(/</g, '%3C');
  return `<${safeUrl}|${escapeMrkdwn(label).replace(/\|/g, '¦')}>`;
}

function readBlocks(blocks: MessageSettings['blocks'], action: string): unknown[] | undefined {
  if (blocks === undefined) return undefined;
  if (Array.isArray(blocks)) return blocks;
  if (blocks.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(blocks);
  } catch {
    throw new NonRetriableError(`${action}: blocks must be a list of blocks or its JSON; render objects with the json filter`);
  }
  if (!Array.isArray(parsed)) throw new NonRetriableError(`${action}: blocks must be a list (JSON array) of blocks`);
  return parsed;
}

/** The facts of a deploy as Slack section fields ("*Service*\ncheckout"), at most 10. */
function deployFields(view: DeployView): Array<{ type: 'mrkdwn'; text: string }> {
  const commit = view.commit
    ? `${isWebUrl(view.commitUrl) ? link(view.commitUrl, shortSha(view.commit)) : `\`${escapeMrkdwn(shortSha(view.commit))}\``}${
        view.commitMessage ? ` ${escapeMrkdwn(cut(view.commitMessage.split('\n')[0]!, 150))}` : ''
      }`
    : null;
  const facts: Array<[string, string | null]> = [
    ['Service', view.service && escapeMrkdwn(view.service)],
    ['Environment', view.environment && escapeMrkdwn(view.environment)],
    ['Version', view.version && escapeMrkdwn(view.version)],
    ['Status', view.status && escapeMrkdwn(statusLabel(view.status)!)],
    ['Deployer', view.deployer && escapeMrkdwn(view.deployer)],
    ['Commit', commit],
  ];
  return facts
    .filter((f): f is [string, string] => f[1] !== null && f[1] !== '')
    .map(([title, value]) => ({ type: 'mrkdwn', text: cut(`*${title}*\n${value}`, FIELD_MAX) }));
}

/** The deploy layout: headline block, coloured attachment with the facts and links, text fallback. */
export function deployMessage(view: DeployView, options: { text?: string; runUrl?: string }): SlackMessage {
  const status = view.status ?? '';
  const fallback = options.text ?? escapeMrkdwn(summary(view));
  const headline = options.text ?? `*${escapeMrkdwn(summary(view))}*`;
  const emoji = EMOJI[status];
  const links = [
    isWebUrl(view.url) ? link(view.url, 'View deploy') : null,
    isWebUrl(options.runUrl) ? link(options.runUrl, 'View run') : null,
  ].filter((l): l is string => l !== null);
  const fields = deployFields(view);
  const inner: unknown[] = [];
  if (fields.length > 0) inner.push({ type: 'section', fields });
  if (links.length > 0) inner.push({ type: 'context', elements: [{ type: 'mrkdwn', text: cut(links.join('  ·  '), CONTEXT_MAX) }] });
  return {
    text: fallback,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: cut(emoji ? `${emoji} ${headline}` : headline, SECTION_TEXT_MAX) } }],
    attachments: [{ color: COLOURS[status] ?? NEUTRAL, fallback, blocks: inner }],
  };
}

/**
 * The message a step's settings describe. Throws NonRetriableError when there is nothing to post
 * or `blocks` and `layout` are both given.
 */
export function buildMessage(event: ShiplineEvent, settings: MessageSettings, action: string): SlackMessage {
  const blocks = readBlocks(settings.blocks, action);
  if (settings.layout === 'deploy') {
    if (blocks) throw new NonRetriableError(`${action}: give blocks or layout: deploy, not both`);
    const view = deployView(event, settings.deploy, action);
    return deployMessage(view, {
      ...(settings.text ? { text: settings.text } : {}),
      ...(settings.runUrl ? { runUrl: settings.runUrl } : {}),
    });
  }
  if (settings.deploy) throw new NonRetriableError(`${action}: deploy is read by layout: deploy only; add layout: deploy`);
  const text = settings.text && settings.text.trim() !== '' ? settings.text : undefined;
  if (!text && (!blocks || blocks.length === 0))
    throw new NonRetriableError(`${action}: nothing to post; give text, blocks or layout: deploy`);
  return { ...(text ? { text } : {}), ...(blocks ? { blocks } : {}) };
}
