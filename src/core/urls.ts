/** URL helpers every layer shares. */

/** `https://x.example/api/` → `https://x.example/api`: base URLs are joined with paths that start with `/`. */
export function trimTrailingSlashes(url: string): string {
  return url.replace(/\/+$/, '');
}

/** Whether a value is an absolute http(s) URL: the only links Shipline puts in a message or a page (never `javascript:`). */
export function isWebUrl(value: string | null | undefined): value is string {
  if (!value) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
