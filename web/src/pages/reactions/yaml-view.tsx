/** The whole document as YAML text: everything the form shows, and whatever it cannot. */
export function YamlView({
  text,
  onText,
  error,
  readOnly,
}: {
  text: string;
  onText(text: string): void;
  error: string | null;
  readOnly?: boolean;
}) {
  return (
    <div className="reactions-yaml">
      <label htmlFor="reaction-yaml">Reaction document (YAML)</label>
      <textarea
        id="reaction-yaml"
        className="reactions-yaml-text"
        value={text}
        readOnly={readOnly}
        spellCheck={false}
        rows={Math.min(40, Math.max(14, text.split('\n').length + 2))}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? 'reaction-yaml-error' : 'reaction-yaml-hint'}
        onChange={(e) => onText(e.target.value)}
      />
      {error ? (
        <p id="reaction-yaml-error" className="reactions-field-error">
          {error}
        </p>
      ) : (
        <p id="reaction-yaml-hint" className="hint">
          Changes here show in the form and the graph as soon as the text is valid YAML; comments stay while you do not edit in the form.
        </p>
      )}
    </div>
  );
}
