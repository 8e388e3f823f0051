/**
 * Query strings and paged collections as Octopus serves them: parameter names are
 * case-insensitive, list parameters are comma-separated (repeating the name works too), and a
 * collection carries its paging numbers and links, with `Page.Next` only when there is one.
 */

const DEFAULT_TAKE = 30;
/** What Octopus clients send to mean "everything" (int.MaxValue). */
export const TAKE_ALL = 2147483647;

export class Query {
  private readonly values = new Map<string, string[]>();

  constructor(readonly raw: Record<string, unknown>) {
    for (const [key, value] of Object.entries(raw)) {
      const list = Array.isArray(value) ? value.map(String) : value === undefined ? [] : [String(value)];
      this.values.set(key.toLowerCase(), [...(this.values.get(key.toLowerCase()) ?? []), ...list]);
    }
  }

  string(name: string): string | undefined {
    const value = this.values.get(name.toLowerCase())?.[0];
    return value === undefined || value === '' ? undefined : value;
  }

  /** `ids=A,B&ids=C` → [A, B, C]; absent or empty → []. */
  list(name: string): string[] {
    return (this.values.get(name.toLowerCase()) ?? [])
      .flatMap((v) => v.split(','))
      .map((v) => v.trim())
      .filter((v) => v !== '');
  }

  int(name: string, fallback: number): number {
    const value = Number(this.string(name));
    return Number.isInteger(value) && value >= 0 ? value : fallback;
  }

  get skip(): number {
    return this.int('skip', 0);
  }

  get take(): number {
    return this.int('take', DEFAULT_TAKE);
  }
}

export function query(raw: unknown): Query {
  return new Query(raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {});
}

function withPaging(path: string, q: Query, skip: number, take: number): string {
  const params: string[] = [];
  for (const [key, value] of Object.entries(q.raw)) {
    const lower = key.toLowerCase();
    if (lower === 'skip' || lower === 'take' || lower === 'apikey') continue;
    const list = Array.isArray(value) ? value : [value];
    for (const v of list) params.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(v))}`);
  }
  params.unshift(`skip=${skip}`);
  params.push(`take=${take}`);
  return `${path}?${params.join('&')}`;
}

/**
 * One page of `items` (already filtered and ordered). `path` is the collection's API path
 * (`/api/Spaces-1/projects`), `templateParams` the names its Template link lists.
 */
export function collection<T>(itemType: string, items: T[], q: Query, path: string, templateParams: string): Record<string, unknown> {
  const { skip, take } = q;
  const total = items.length;
  const pages = take === 0 ? 0 : Math.ceil(total / take);
  const lastSkip = pages > 0 ? (pages - 1) * take : 0;
  const links: Record<string, string> = {
    Self: withPaging(path, q, skip, take),
    Template: `${path}{?${templateParams}}`,
    'Page.All': withPaging(path, q, 0, TAKE_ALL),
    'Page.Current': withPaging(path, q, skip, take),
    'Page.Last': withPaging(path, q, lastSkip, take),
  };
  if (take > 0 && skip + take < total) links['Page.Next'] = withPaging(path, q, skip + take, take);
  return {
    ItemType: itemType,
    TotalResults: total,
    ItemsPerPage: take,
    NumberOfPages: Math.max(1, pages),
    LastPageNumber: Math.max(0, pages - 1),
    Items: items.slice(skip, take === TAKE_ALL ? undefined : skip + take),
    Links: links,
  };
}

/** `partialName`: a case-insensitive substring match, as the list endpoints do. */
export function matchesPartial(name: string, partial: string | undefined): boolean {
  return partial === undefined || name.toLowerCase().includes(partial.toLowerCase());
}

/** An id filter (`ids=`, `projects=`...): empty means any; ids compare case-insensitively. */
export function inIds(id: string | null, ids: string[]): boolean {
  if (ids.length === 0) return true;
  if (id === null) return false;
  return ids.some((candidate) => candidate.toLowerCase() === id.toLowerCase());
}
