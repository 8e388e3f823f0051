import { useRef } from 'react';
import type { KeyboardEvent, ReactNode } from 'react';
import { useSearchParams } from 'react-router';

export interface TabSpec<K extends string> {
  key: K;
  label: string;
}

/** The tab named in `?tab=` (so a tab can be linked to and survives a reload), else the first one. */
export function useTabParam<K extends string>(tabs: readonly TabSpec<K>[]): [K, (key: K) => void] {
  const [params, setParams] = useSearchParams();
  const wanted = params.get('tab');
  const current = tabs.find((t) => t.key === wanted)?.key ?? tabs[0]!.key;
  const select = (key: K) => {
    const next = new URLSearchParams(params);
    next.set('tab', key);
    setParams(next, { replace: true });
  };
  return [current, select];
}

/** Tab buttons (the ARIA tabs pattern: arrow keys, Home and End move between them). */
export function Tabs<K extends string>({
  tabs,
  current,
  onSelect,
  label,
  idPrefix,
}: {
  tabs: readonly TabSpec<K>[];
  current: K;
  onSelect(key: K): void;
  label: string;
  idPrefix: string;
}) {
  const buttons = useRef<(HTMLButtonElement | null)[]>([]);
  const onKeyDown = (e: KeyboardEvent, index: number) => {
    const last = tabs.length - 1;
    const to =
      e.key === 'ArrowRight'
        ? index === last
          ? 0
          : index + 1
        : e.key === 'ArrowLeft'
          ? index === 0
            ? last
            : index - 1
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? last
              : null;
    if (to === null) return;
    e.preventDefault();
    onSelect(tabs[to]!.key);
    buttons.current[to]?.focus();
  };
  return (
    <div className="tabs" role="tablist" aria-label={label}>
      {tabs.map((tab, index) => (
        <button
          key={tab.key}
          ref={(el) => {
            buttons.current[index] = el;
          }}
          type="button"
          role="tab"
          id={`${idPrefix}-tab-${tab.key}`}
          aria-selected={tab.key === current}
          aria-controls={`${idPrefix}-panel-${tab.key}`}
          tabIndex={tab.key === current ? 0 : -1}
          onClick={() => onSelect(tab.key)}
          onKeyDown={(e) => onKeyDown(e, index)}
        >
          {tab.label}
        </button>
      ))}
    </div>
  );
}

export function TabPanel({ idPrefix, tab, children }: { idPrefix: string; tab: string; children: ReactNode }) {
  return (
    <div role="tabpanel" id={`${idPrefix}-panel-${tab}`} aria-labelledby={`${idPrefix}-tab-${tab}`}>
      {children}
    </div>
  );
}
