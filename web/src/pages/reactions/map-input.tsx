import { useState } from 'react';
import { sameDocument } from './document';

interface Row {
  key: string;
  value: string;
}

const rowsOf = (value: Record<string, unknown>): Row[] =>
  Object.entries(value).map(([key, v]) => ({ key, value: typeof v === 'string' ? v : JSON.stringify(v) }));

/** The object the rows stand for: rows without a name are still being typed and left out. */
function objectOf(rows: Row[], original: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const row of rows) {
    if (row.key === '') continue;
    // A value that was not text (a number, say) stays as it was until it is edited.
    const before = original[row.key];
    out[row.key] = before !== undefined && typeof before !== 'string' && JSON.stringify(before) === row.value ? before : row.value;
  }
  return out;
}

/** Name → text pairs (headers, form values, facts), one row each. */
export function MapInput({
  id,
  labelledBy,
  value,
  onChange,
  disabled,
  describedBy,
}: {
  id: string;
  labelledBy: string;
  value: Record<string, unknown>;
  onChange(value: Record<string, unknown>): void;
  disabled?: boolean;
  describedBy?: string;
}) {
  const [rows, setRows] = useState<Row[]>(() => rowsOf(value));
  const [shown, setShown] = useState(value);
  if (!sameDocument(shown, value)) {
    setShown(value);
    if (!sameDocument(objectOf(rows, shown), value)) setRows(rowsOf(value));
  }

  const update = (next: Row[]) => {
    setRows(next);
    const object = objectOf(next, value);
    setShown(object);
    onChange(object);
  };

  return (
    <div className="reactions-map" id={id} role="group" aria-labelledby={labelledBy} aria-describedby={describedBy}>
      {rows.map((row, i) => (
        <div className="reactions-map-row" key={i}>
          <label className="reactions-compact">
            Name
            <input
              value={row.key}
              disabled={disabled}
              onChange={(e) => update(rows.map((r, j) => (j === i ? { ...r, key: e.target.value } : r)))}
            />
          </label>
          <label className="reactions-compact">
            Value
            <input
              value={row.value}
              disabled={disabled}
              onChange={(e) => update(rows.map((r, j) => (j === i ? { ...r, value: e.target.value } : r)))}
            />
          </label>
          <button
            type="button"
            className="button-small"
            disabled={disabled}
            aria-label={`Remove ${row.key || 'this row'}`}
            onClick={() => update(rows.filter((_, j) => j !== i))}
          >
            Remove
          </button>
        </div>
      ))}
      <button type="button" className="button-small" disabled={disabled} onClick={() => setRows([...rows, { key: '', value: '' }])}>
        Add
      </button>
    </div>
  );
}

/** A list of texts, one per line; empty lines are left out. */
export function LinesInput({
  id,
  value,
  onChange,
  disabled,
  describedBy,
}: {
  id: string;
  value: string[];
  onChange(value: string[] | undefined): void;
  disabled?: boolean;
  describedBy?: string;
}) {
  const [text, setText] = useState(value.join('\n'));
  const [shown, setShown] = useState(value);
  if (!sameDocument(shown, value)) {
    setShown(value);
    setText(value.join('\n'));
  }
  return (
    <textarea
      id={id}
      rows={3}
      value={text}
      disabled={disabled}
      aria-describedby={describedBy}
      placeholder="One per line"
      onChange={(e) => {
        setText(e.target.value);
        const items = e.target.value
          .split('\n')
          .map((line) => line.trim())
          .filter((line) => line !== '');
        setShown(items);
        onChange(items.length > 0 ? items : undefined);
      }}
    />
  );
}
