/**
 * Injected faults: the next N API calls matching a method and path fail with a 5xx (or a 429)
 * or have their connection dropped, as a real server does during a restart, a failover or an
 * overload. Lets a test show that a client rides out a hiccup instead of giving up.
 */
export interface FaultRule {
  /** HTTP method; default GET. */
  method?: string;
  /**
   * The path without the query string, matched whole and case-insensitively; `*` stands for any
   * run of characters, slashes included: `/api/tasks/*` is any task read by its global route,
   * `*deployments` any path ending in deployments.
   */
  path: string;
  /** Answer with this status (500, 503, 429 ...); default 500. Ignored with `drop`. */
  status?: number;
  /** Destroy the connection without an answer (the client sees a socket error). Default false. */
  drop?: boolean;
  /** `Retry-After` in seconds, sent with the status. Default none. */
  retryAfterSeconds?: number;
  /**
   * Answer late instead of failing: the call is carried out, then its answer held back this many
   * milliseconds, as behind a slow proxy. What the call set off (a deployment, its webhooks) goes
   * on meanwhile. `status` and `drop` are ignored with it.
   */
  delayMs?: number;
  /** How many matching calls fail (or answer late); default 1. */
  times?: number;
}

interface Armed {
  rule: FaultRule;
  pattern: RegExp;
  left: number;
}

function patternOf(path: string): RegExp {
  const escaped = path.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`, 'i');
}

export class Faults {
  private rules: Armed[] = [];

  add(rule: FaultRule): void {
    this.rules.push({ rule, pattern: patternOf(rule.path), left: rule.times ?? 1 });
  }

  /** The rules still armed, with how many calls each will still fail. */
  list(): Array<FaultRule & { left: number }> {
    return this.rules.map((a) => ({ ...a.rule, left: a.left }));
  }

  clear(): void {
    this.rules = [];
  }

  /** The first armed rule this call matches, used up by one; undefined lets the call through. */
  take(method: string, path: string): FaultRule | undefined {
    const armed = this.rules.find((a) => (a.rule.method ?? 'GET').toUpperCase() === method.toUpperCase() && a.pattern.test(path));
    if (!armed) return undefined;
    armed.left -= 1;
    if (armed.left <= 0) this.rules = this.rules.filter((a) => a !== armed);
    return armed.rule;
  }
}
