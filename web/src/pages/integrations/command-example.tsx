import { CopyButton } from '../../components/ui';

/** A shell command to copy, shown whole (it wraps in a narrow window rather than scrolling away). */
export function CommandExample({ command, label }: { command: string; label: string }) {
  return (
    <div className="integrations-command">
      <div className="integrations-command-head">
        <span className="hint">{label}</span>
        <CopyButton text={command} label="Copy command" />
      </div>
      <pre className="json integrations-command-text" aria-label={label} tabIndex={0}>
        {command}
      </pre>
    </div>
  );
}

/** A URL that is a credential or an address to paste elsewhere, with its copy button. */
export function CopyableUrl({ url, label = 'Copy URL' }: { url: string; label?: string }) {
  return (
    <span className="integrations-url">
      <code>{url}</code>
      <CopyButton text={url} label={label} />
    </span>
  );
}
