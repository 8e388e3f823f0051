import { useState } from 'react';
import { parse, stringify } from 'yaml';
import { sameDocument } from './document';

/** YAML text for a value: one line (flow style) for small inputs, block style for text areas. */
export function toYaml(value: unknown, inline = false): string {
  if (value === undefined) return '';
  if (inline) return stringify(value, { collectionStyle: 'flow', lineWidth: 0 }).trim();
  return stringify(value, { lineWidth: 0 });
}

type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

export function parseYaml(text: string): Parsed {
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: parse(text) as unknown };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message.split('\n')[0]! : String(err) };
  }
}

/**
 * A value typed as YAML (JSON is YAML too): what the form has no inputs for, a filter's values, a
 * made-up event. The text is kept as typed while it does not parse, and replaced only when the
 * value changes from outside, so a half-typed edit is never lost.
 */
export function YamlInput({
  id,
  value,
  onChange,
  inline,
  rows = 4,
  disabled,
  describedBy,
  placeholder,
}: {
  id: string;
  value: unknown;
  onChange(value: unknown): void;
  inline?: boolean;
  rows?: number;
  disabled?: boolean;
  describedBy?: string;
  placeholder?: string;
}) {
  const [text, setText] = useState(() => toYaml(value, inline));
  const [shown, setShown] = useState<unknown>(value);
  const [error, setError] = useState<string | null>(null);

  if (!sameDocument(shown, value)) {
    // Changed from outside (another view, a restore): show the new value.
    setShown(value);
    setText(toYaml(value, inline));
    setError(null);
  }

  const edit = (next: string) => {
    setText(next);
    const parsed = parseYaml(next);
    if (!parsed.ok) {
      setError(parsed.error);
      return;
    }
    setError(null);
    setShown(parsed.value);
    onChange(parsed.value);
  };

  const errorId = `${id}-yaml-error`;
  const described = [describedBy, error ? errorId : undefined].filter(Boolean).join(' ') || undefined;
  return (
    <>
      {inline ? (
        <input
          id={id}
          className="reactions-mono"
          value={text}
          disabled={disabled}
          placeholder={placeholder}
          aria-invalid={error ? true : undefined}
          aria-describedby={described}
          onChange={(e) => edit(e.target.value)}
          spellCheck={false}
        />
      ) : (
        <textarea
          id={id}
          value={text}
          rows={rows}
          disabled={disabled}
          placeholder={placeholder}
          aria-invalid={error ? true : undefined}
          aria-describedby={described}
          onChange={(e) => edit(e.target.value)}
          spellCheck={false}
        />
      )}
      {error ? (
        <span id={errorId} className="reactions-field-error">
          Not valid YAML yet: {error}
        </span>
      ) : null}
    </>
  );
}
