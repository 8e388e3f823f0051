import { useContext } from 'react';
import type { ReactNode } from 'react';
import { isObject, setIn } from './document';
import { fieldKind, fieldLabel, numberOrText } from './field-kinds';
import type { FieldKind } from './field-kinds';
import { LinesInput, MapInput } from './map-input';
import { DeclarationsContext, PickerInput, pickerForAction } from './pickers';
import type { JsonSchema } from './types';
import { YamlInput } from './yaml-input';

interface FieldsProps {
  /** The object schema whose properties are shown. */
  schema: JsonSchema;
  value: Record<string, unknown>;
  onChange(value: Record<string, unknown>): void;
  /** A unique prefix for the inputs' ids. */
  idPrefix: string;
  /** The action, for its pickers (the connection, and the resources its connection type lists). */
  action: string;
  disabled?: boolean;
  /**
   * Whether the schema's required fields are marked so (default). An optional section that is
   * not set (signing, say) needs nothing: its fields are required only once it is used.
   */
  markRequired?: boolean;
}

/** The inputs for an action's `with`, generated from its JSON Schema; keys it does not know stay as they are. */
export function WithFields({ schema, value, onChange, idPrefix, action, disabled, markRequired = true }: FieldsProps) {
  const properties = schema.properties ?? {};
  const required = new Set(markRequired ? (schema.required ?? []) : []);
  const unknown = Object.keys(value).filter((key) => !(key in properties));
  return (
    <div className="reactions-fields">
      {Object.entries(properties).map(([key, child]) => (
        <Field
          key={key}
          name={key}
          schema={child}
          required={required.has(key)}
          value={value[key]}
          siblings={value}
          id={`${idPrefix}-${key}`}
          action={action}
          disabled={disabled}
          onChange={(next) => onChange(setIn(value, [key], next))}
        />
      ))}
      {unknown.length > 0 ? <p className="hint">Also set, edited in the YAML view: {unknown.join(', ')}.</p> : null}
    </div>
  );
}

/** A kind that fits the value already there; a value the input cannot show is edited as YAML instead of lost. */
function kindFor(schema: JsonSchema, value: unknown): FieldKind {
  const kind = fieldKind(schema);
  if (value === undefined || value === null) return kind;
  const scalar = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
  switch (kind.kind) {
    case 'text':
    case 'number':
    case 'boolean':
    case 'choice':
      return scalar ? kind : { kind: 'yaml' };
    case 'object':
    case 'map':
      return isObject(value) ? kind : { kind: 'yaml' };
    case 'lines':
      return Array.isArray(value) && value.every((v) => typeof v === 'string' && !v.includes('\n')) ? kind : { kind: 'yaml' };
    case 'yaml':
      return kind;
  }
}

function Field({
  name,
  schema,
  required,
  value,
  siblings,
  id,
  action,
  disabled,
  onChange,
}: {
  name: string;
  schema: JsonSchema;
  required: boolean;
  value: unknown;
  siblings: Record<string, unknown>;
  id: string;
  action: string;
  disabled?: boolean;
  onChange(value: unknown): void;
}) {
  const kind = kindFor(schema, value);
  const { types } = useContext(DeclarationsContext);
  // The declared title; a field that declares none is labelled from its key.
  const title = schema.title ?? fieldLabel(name);
  // The declared placeholder, else the first declared example.
  const example = schema.examples?.[0];
  const placeholder = schema.placeholder ?? (typeof example === 'string' || typeof example === 'number' ? String(example) : undefined);
  const hintId = `${id}-hint`;
  const hint = schema.description ? (
    <span id={hintId} className="hint">
      {schema.description}
    </span>
  ) : null;
  const describedBy = schema.description ? hintId : undefined;
  const label =
    kind.kind === 'map' ? (
      <span id={`${id}-label`} className="reactions-group-title">
        {title}
      </span>
    ) : (
      <label htmlFor={id}>
        {title}
        {required ? (
          <span className="reactions-required" aria-hidden="true">
            {' '}
            *
          </span>
        ) : null}
        {required ? <span className="visually-hidden"> (required)</span> : null}
      </label>
    );

  if (kind.kind === 'object') {
    return (
      <fieldset className="reactions-subfields" disabled={disabled}>
        <legend>
          {title}
          {required ? ' *' : ' (optional)'}
        </legend>
        {hint}
        <WithFields
          schema={kind.schema}
          value={isObject(value) ? value : {}}
          idPrefix={id}
          action={action}
          disabled={disabled}
          markRequired={required || (isObject(value) && Object.keys(value).length > 0)}
          onChange={(next) => onChange(Object.keys(next).length > 0 ? next : undefined)}
        />
      </fieldset>
    );
  }

  let input: ReactNode;
  switch (kind.kind) {
    case 'text':
      input = (
        <PickerInput
          id={id}
          value={value === undefined || value === null ? '' : String(value)}
          disabled={disabled}
          describedBy={describedBy}
          required={required}
          placeholder={placeholder}
          picker={pickerForAction(action, name, siblings, types)}
          onChange={(text) => onChange(text === '' ? undefined : text)}
        />
      );
      break;
    case 'number':
      input = (
        <input
          id={id}
          inputMode="decimal"
          placeholder={placeholder}
          value={value === undefined || value === null ? '' : String(value)}
          disabled={disabled}
          aria-describedby={describedBy}
          aria-required={required || undefined}
          onChange={(e) => onChange(numberOrText(e.target.value))}
        />
      );
      break;
    case 'boolean':
    case 'choice': {
      const options = kind.kind === 'boolean' ? ['true', 'false'] : kind.options;
      const current = value === undefined || value === null ? '' : String(value);
      input = (
        <select
          id={id}
          value={current}
          disabled={disabled}
          aria-describedby={describedBy}
          aria-required={required || undefined}
          onChange={(e) => {
            const picked = e.target.value;
            if (picked === '') onChange(undefined);
            else if (kind.kind === 'boolean' && (picked === 'true' || picked === 'false')) onChange(picked === 'true');
            else onChange(picked);
          }}
        >
          <option value="">{required ? 'Choose…' : 'Not set (default)'}</option>
          {options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
          {current !== '' && !options.includes(current) ? <option value={current}>{current}</option> : null}
        </select>
      );
      break;
    }
    case 'map':
      input = (
        <MapInput
          id={id}
          labelledBy={`${id}-label`}
          value={isObject(value) ? value : {}}
          disabled={disabled}
          describedBy={describedBy}
          onChange={(next) => onChange(Object.keys(next).length > 0 ? next : undefined)}
        />
      );
      break;
    case 'lines':
      input = (
        <LinesInput
          id={id}
          value={Array.isArray(value) ? value.map(String) : []}
          disabled={disabled}
          describedBy={describedBy}
          onChange={onChange}
        />
      );
      break;
    case 'yaml':
      input = (
        <YamlInput
          id={id}
          value={value}
          disabled={disabled}
          describedBy={describedBy}
          rows={4}
          onChange={onChange}
          placeholder='YAML or JSON; quote templates: "{{ data.service.name }}"'
        />
      );
      break;
  }
  return (
    <div className={`reactions-field${kind.kind === 'yaml' || kind.kind === 'map' ? ' reactions-field-wide' : ''}`}>
      {label}
      {input}
      {hint}
    </div>
  );
}
