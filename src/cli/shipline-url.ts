// The Shipline server URL the CLI talks to (--url, SHIPLINE_URL or the default): checked before
// any request, so a typo is reported with the value and what is wrong with it, not as a fetch error.

const EXAMPLE = 'e.g. http://localhost:8080 or https://shipline.example.com/shipline';

/** The URL, or what is wrong with it in words a user can act on. */
export type CheckedUrl = { url: URL } | { problem: string };

export function checkShiplineUrl(raw: string): CheckedUrl {
  if (raw.trim() === '') return { problem: `is empty: give the server's address, ${EXAMPLE}` };
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    const hint = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw.trim()) ? 'its host or port is malformed' : 'it has no http:// or https://';
    return { problem: `is not a URL (${hint}): ${EXAMPLE}` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    // `localhost:8080` parses with the scheme "localhost:".
    return { problem: `must start with http:// or https:// (${EXAMPLE})` };
  }
  if (url.username || url.password) {
    // fetch refuses such URLs; the token has its own setting, kept out of URLs that end up in logs.
    return { problem: 'must not hold a user name or password: the API token goes in SHIPLINE_TOKEN' };
  }
  if (url.search || url.hash) {
    return { problem: `must not hold a query (?…) or fragment (#…): only the address and an optional path prefix, ${EXAMPLE}` };
  }
  return { url };
}

/** The value as given, quoted for a message, with any password replaced: the message may land in a CI log. */
export function quoteUrlValue(raw: string): string {
  return `'${raw.replace(/(\/\/[^/@:]*:)[^/@]*@/, '$1***@')}'`;
}

/** How a checked URL is named in messages: address and path prefix, no trailing slash. */
export function describeUrl(url: URL): string {
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
