import { createContext, useContext } from 'react';
import type { Page } from '../../lib/api';
import { ApiError, seg } from '../../lib/api';
import { useResource } from '../../lib/hooks';
import { isTemplate } from './field-kinds';
import { useDebounced } from './use-debounced';
import { resourceKindFor } from '../integrations/resource-kinds';
import type { ConnectionType } from '../integrations/types';
import type { ConnectionSummary, DeclaredEvent, PickerResource } from './types';

/** The connections, loaded once by the editor, for every connection field. */
export const ConnectionsContext = createContext<ConnectionSummary[]>([]);

/** What the connection types declare (their actions, trigger options and resource kinds) and the events they emit, loaded once by the editor. */
export interface Declarations {
  types: ConnectionType[];
  events: DeclaredEvent[];
}
export const DeclarationsContext = createContext<Declarations>({ types: [], events: [] });

/** What a text field can offer to pick from: a connection, or resources a connection lists (`GET …/resources/:kind`). */
export type Picker =
  | { source: 'connections'; type: string | null }
  | { source: 'resources'; kind: string; connection: string; project?: string }
  /** A picker that needs another field first (the connection). */
  | { source: 'waiting'; note: string };

/** A concrete name to look resources up by (not empty, not a template). */
const usable = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '' && !isTemplate(value);

/**
 * The picker for field `key` of a connection type's options (an action's `with`, a trigger's `on`),
 * given the other values there: the type's resources named after the field, from the chosen
 * connection. The API scopes every listing but the projects themselves by a `project` (the
 * releases of a project...), so the chosen one is passed along.
 */
export function resourcePicker(type: ConnectionType | undefined, key: string, values: Record<string, unknown>): Picker | null {
  const kind = resourceKindFor(type, key);
  if (!kind) return null;
  if (!usable(values.connection)) return { source: 'waiting', note: `Choose the connection to pick from its ${kind}.` };
  return key !== 'project' && usable(values.project)
    ? { source: 'resources', kind, connection: values.connection, project: values.project }
    : { source: 'resources', kind, connection: values.connection };
}

/** The picker for `key` of an action's `with`: connections of the type that declares the action, or that type's resources. */
export function pickerForAction(action: string, key: string, values: Record<string, unknown>, types: ConnectionType[]): Picker | null {
  const owner = types.find((t) => t.actions.includes(action));
  if (key === 'connection') return { source: 'connections', type: owner?.type ?? (action.includes('.') ? action.split('.')[0]! : null) };
  return resourcePicker(owner, key, values);
}

interface Option {
  value: string;
  label: string;
}

function usePickerOptions(picker: Picker | null): { options: Option[]; note: string | null } {
  const connections = useContext(ConnectionsContext);
  // The connection and project are typed too: look resources up once the typing settles.
  const settled = useDebounced(picker?.source === 'resources' ? JSON.stringify(picker) : null, 300);
  const lookup = settled ? (JSON.parse(settled) as Extract<Picker, { source: 'resources' }>) : null;
  const path = lookup ? `/api/v1/connections/${seg(lookup.connection)}/resources/${lookup.kind}` : null;
  const resources = useResource<Page<PickerResource>>(path, lookup?.project ? { project: lookup.project } : undefined);
  if (!picker) return { options: [], note: null };
  if (picker.source === 'waiting') return { options: [], note: picker.note };
  if (picker.source === 'connections') {
    const fitting = connections.filter((c) => picker.type === null || c.type === picker.type);
    const list = fitting.length > 0 ? fitting : connections;
    return {
      options: list.map((c) => ({ value: c.name, label: `${c.type} connection (${c.status})` })),
      note: fitting.length === 0 && picker.type ? `No ${picker.type} connection yet: add one under Integrations.` : null,
    };
  }
  if (resources.loading || !lookup) return { options: [], note: `Loading ${picker.kind} from ${picker.connection}…` };
  if (resources.error) {
    const message = resources.error instanceof ApiError ? resources.error.message : String(resources.error);
    return { options: [], note: `Cannot list ${picker.kind}: ${message}` };
  }
  const items = resources.data?.items ?? [];
  const options = items.map((r) => ({ value: r.name, label: r.id }));
  return {
    options,
    note: `${items.length} ${picker.kind} in ${picker.connection}${picker.project ? ` / ${picker.project}` : ''}; or type a name, id or template.`,
  };
}

/** A free-text input (templates allowed) that suggests the picker's choices as you type. */
export function PickerInput({
  id,
  value,
  onChange,
  picker,
  disabled,
  describedBy,
  required,
  placeholder,
}: {
  id: string;
  value: string;
  onChange(value: string): void;
  picker: Picker | null;
  disabled?: boolean;
  describedBy?: string;
  required?: boolean;
  placeholder?: string;
}) {
  const { options, note } = usePickerOptions(picker);
  const listId = `${id}-choices`;
  const noteId = `${id}-choices-note`;
  return (
    <>
      <input
        id={id}
        value={value}
        disabled={disabled}
        placeholder={placeholder}
        aria-required={required || undefined}
        list={options.length > 0 ? listId : undefined}
        autoComplete="off"
        aria-describedby={[describedBy, note ? noteId : undefined].filter(Boolean).join(' ') || undefined}
        onChange={(e) => onChange(e.target.value)}
      />
      {options.length > 0 ? (
        <datalist id={listId}>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </datalist>
      ) : null}
      {note ? (
        <span id={noteId} className="hint">
          {note}
        </span>
      ) : null}
    </>
  );
}
