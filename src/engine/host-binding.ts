import { hostMatches } from '../core/secret-hosts.js';
import type { HttpClient } from './action.js';
import { NonRetriableError } from './action.js';

/**
 * The hosts a step's requests may go to, from the secrets it uses that are bound to hosts: a
 * request must go to a host every one of them allows, or it is refused before anything is sent.
 * This is what keeps a reaction author (role `write`) from sending a bound secret to a host of
 * their choosing; secrets bound to no host add no restriction.
 */
export class HostBinding {
  private readonly bound = new Map<string, readonly string[]>();

  bind(name: string, hosts: readonly string[]): void {
    if (hosts.length > 0) this.bound.set(name, hosts);
  }

  /** Throws (non-retriable: the same URL is refused on every attempt) when `url` may not be sent to. */
  check(url: string): void {
    if (this.bound.size === 0) return;
    let hostname: string;
    try {
      hostname = new URL(url).hostname;
    } catch {
      throw new NonRetriableError('a request of a step using a secret bound to hosts has no valid URL; nothing was sent');
    }
    for (const [name, hosts] of this.bound) {
      if (!hosts.some((pattern) => hostMatches(hostname, pattern))) {
        throw new NonRetriableError(
          `secret ${name} may only be sent to ${hosts.join(', ')}; this step's request to ${hostname} was refused and nothing was sent`,
        );
      }
    }
  }

  /** `http` with every request checked first. */
  guard(http: HttpClient): HttpClient {
    return {
      request: (request) => {
        this.check(request.url);
        return http.request(request);
      },
    };
  }
}
