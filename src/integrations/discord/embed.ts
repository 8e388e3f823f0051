import type { DeployView } from '../deploy-facts.js';
import { shortSha, statusLabel, summary } from '../deploy-facts.js';
import { isWebUrl } from '../../core/urls.js';

/**
 * Discord embeds (https://discord.com/developers/docs/resources/message#embed-object): the deploy
 * layout as one embed, its left bar coloured by status. Discord refuses a whole message when one
 * embed part is too long (https://discord.com/developers/docs/resources/message#embed-object-embed-limits),
 * so values read from events are cut to the limits here rather than failing the step.
 */

export const LIMITS = {
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  /** All of an embed's text together. */
  total: 6000,
  content: 2000,
};

export interface EmbedField {
  name: string;
  value: string;
  inline?: boolean;
}

export interface Embed {
  title?: string;
  description?: string;
  url?: string;
  color?: number;
  fields?: EmbedField[];
  footer?: { text: string };
  timestamp?: string;
}

/** Discord's brand colours, as integers: green, red, blurple, yellow, grey. */
export const STATUS_COLOR: Record<string, number> = { succeeded: 0x57f287, failed: 0xed4245, started: 0x5865f2, queued: 0xfee75c };
export const NEUTRAL_COLOR = 0x99aab5;

/** `text` within `max` characters, ending with … when cut. */
export function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Fields within Discord's limits (at most 25, empty values left out: Discord refuses them). */
export function embedFields(fields: EmbedField[]): EmbedField[] {
  return fields
    .filter((f) => f.name.trim() !== '' && f.value.trim() !== '')
    .slice(0, LIMITS.fields)
    .map((f) => ({ ...f, name: cut(f.name, LIMITS.fieldName), value: cut(f.value, LIMITS.fieldValue) }));
}

/** The characters Discord counts towards an embed's total. */
export function embedSize(embed: Embed): number {
  const fields = (embed.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0);
  return (embed.title?.length ?? 0) + (embed.description?.length ?? 0) + (embed.footer?.text.length ?? 0) + fields;
}

/** The embed within Discord's total: the description gives way first, then the last fields. */
export function withinTotal(embed: Embed): Embed {
  const over = embedSize(embed) - LIMITS.total;
  if (over <= 0) return embed;
  const { description, ...rest } = embed;
  const room = (description?.length ?? 0) - over;
  const out: Embed = {
    ...rest,
    ...(description && room > 1 ? { description: cut(description, room) } : {}),
    fields: [...(embed.fields ?? [])],
  };
  while (embedSize(out) > LIMITS.total && out.fields!.length > 0) out.fields!.pop();
  return out;
}

/** The deploy layout: the summary as title (linked to the deploy), status colour, the facts, a link to the run. */
export function deployEmbed(
  view: DeployView,
  options: { title?: string; text?: string; fields?: EmbedField[]; runUrl?: string; timestamp?: string },
): Embed {
  const commit = view.commit
    ? `${isWebUrl(view.commitUrl) ? `[${shortSha(view.commit)}](${view.commitUrl})` : shortSha(view.commit)}${
        view.commitMessage ? ` ${view.commitMessage.split('\n')[0]!}` : ''
      }`
    : null;
  const facts = (
    [
      ['Service', view.service, true],
      ['Environment', view.environment, true],
      ['Version', view.version, true],
      ['Status', statusLabel(view.status), true],
      ['Deployer', view.deployer, true],
      ['Commit', commit, false],
      ['Run', isWebUrl(options.runUrl) ? `[View run](${options.runUrl})` : null, false],
    ] as Array<[string, string | null, boolean]>
  )
    .filter((f): f is [string, string, boolean] => f[1] !== null && f[1] !== '')
    .map(([name, value, inline]) => ({ name, value, inline }));
  const description = options.text ?? (isWebUrl(view.url) ? `[View deploy](${view.url})` : undefined);
  return withinTotal({
    title: cut(options.title ?? summary(view), LIMITS.title),
    ...(isWebUrl(view.url) ? { url: view.url } : {}),
    ...(description ? { description: cut(description, LIMITS.description) } : {}),
    color: STATUS_COLOR[view.status ?? ''] ?? NEUTRAL_COLOR,
    fields: embedFields([...facts, ...(options.fields ?? [])]),
    footer: { text: 'Shipline' },
    ...(options.timestamp ? { timestamp: options.timestamp } : {}),
  });
}
