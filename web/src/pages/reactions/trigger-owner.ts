import type { ConnectionType } from '../integrations/types';
import type { ConnectionSummary, DeclaredEvent } from './types';

/** `deploy.*` → a RegExp over whole event types: `*` any characters, `?` one, as triggers match them. */
function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/**
 * The connection type whose trigger options (`on:` besides `connection`) apply: the one that
 * declares every event the trigger's type or glob matches, else the type of the chosen connection.
 * Undefined when neither says, or when it declares no trigger options.
 */
export function triggerOwner(
  event: string,
  connection: string | null,
  declared: { types: ConnectionType[]; events: DeclaredEvent[] },
  connections: ConnectionSummary[],
): ConnectionType | undefined {
  const withTrigger = (type: string | null | undefined) => declared.types.find((t) => t.type === type && t.trigger?.properties);
  if (event !== '') {
    const pattern = globToRegExp(event);
    const providers = new Set(declared.events.filter((e) => pattern.test(e.type)).map((e) => e.provider));
    if (providers.size === 1) {
      const owner = withTrigger([...providers][0]);
      if (owner) return owner;
    }
  }
  return withTrigger(connections.find((c) => c.name === connection)?.type);
}
