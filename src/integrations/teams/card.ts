import type { DeployView } from '../deploy-facts.js';
import { shortSha, statusLabel, summary } from '../deploy-facts.js';
import { isWebUrl } from '../../core/urls.js';

/**
 * Adaptive Cards for Teams webhooks, in the message envelope Workflows' default template loops
 * over (`attachments[].content`). Only `Action.OpenUrl`: Workflows do not support Action.Submit.
 */

export const DEFAULT_CARD_VERSION = '1.4';

export interface Fact {
  title: string;
  value: string;
}

export interface OpenUrl {
  type: 'Action.OpenUrl';
  title: string;
  url: string;
}

export interface CardContent {
  title?: string;
  /** A TextBlock colour: Good, Attention, Warning, Accent, Default. */
  titleColor?: string;
  text?: string;
  facts?: Fact[];
  actions?: OpenUrl[];
}

const STATUS_COLOUR: Record<string, string> = { succeeded: 'Good', failed: 'Attention', started: 'Accent', queued: 'Warning' };

export function openUrl(title: string, url: string): OpenUrl {
  return { type: 'Action.OpenUrl', title, url };
}

/** The message: one Adaptive Card attachment. */
export function adaptiveMessage(content: CardContent, version: string): Record<string, unknown> {
  const body: unknown[] = [];
  if (content.title) {
    body.push({
      type: 'TextBlock',
      size: 'Medium',
      weight: 'Bolder',
      text: content.title,
      wrap: true,
      ...(content.titleColor ? { color: content.titleColor } : {}),
    });
  }
  if (content.text) body.push({ type: 'TextBlock', text: content.text, wrap: true });
  if (content.facts && content.facts.length > 0) body.push({ type: 'FactSet', facts: content.facts });
  const card: Record<string, unknown> = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version,
    body,
  };
  if (content.actions && content.actions.length > 0) card.actions = content.actions;
  return {
    type: 'message',
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card }],
  };
}

/** The deploy layout: headline coloured by status, the facts, and links to the deploy and the run. */
export function deployContent(view: DeployView, options: { title?: string; text?: string; facts?: Fact[]; runUrl?: string }): CardContent {
  const commit = view.commit
    ? `${isWebUrl(view.commitUrl) ? `[${shortSha(view.commit)}](${view.commitUrl})` : shortSha(view.commit)}${
        view.commitMessage ? ` ${view.commitMessage.split('\n')[0]!.slice(0, 150)}` : ''
      }`
    : null;
  const facts: Fact[] = (
    [
      ['Service', view.service],
      ['Environment', view.environment],
      ['Version', view.version],
      ['Status', statusLabel(view.status)],
      ['Deployer', view.deployer],
      ['Commit', commit],
    ] as Array<[string, string | null]>
  )
    .filter((f): f is [string, string] => f[1] !== null && f[1] !== '')
    .map(([title, value]) => ({ title, value }));
  const actions = [
    isWebUrl(view.url) ? openUrl('View deploy', view.url) : null,
    isWebUrl(options.runUrl) ? openUrl('View run', options.runUrl) : null,
  ].filter((a): a is OpenUrl => a !== null);
  return {
    title: options.title ?? summary(view),
    titleColor: STATUS_COLOUR[view.status ?? ''] ?? 'Default',
    ...(options.text ? { text: options.text } : {}),
    facts: [...facts, ...(options.facts ?? [])],
    actions,
  };
}
