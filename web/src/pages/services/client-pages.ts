import { useState } from 'react';

/**
 * Pages over a list the server returns whole (suggestions, environments, a timeline), so long
 * lists page like the cursor-paginated ones and work with the same <Pager>.
 */
export function useClientPages<T>(all: readonly T[], size = 25) {
  const [page, setPage] = useState(1);
  const pages = Math.max(1, Math.ceil(all.length / size));
  // The list may shrink under the reader (an accepted suggestion): stay on a page that exists.
  const current = Math.min(page, pages);
  return {
    items: all.slice((current - 1) * size, current * size),
    page: current,
    hasPrevious: current > 1,
    hasNext: current < pages,
    previous: () => setPage(Math.max(1, current - 1)),
    next: () => setPage(Math.min(pages, current + 1)),
  };
}
