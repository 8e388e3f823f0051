import { useId } from 'react';
import type { FieldSchema, FieldsSchema } from './types';

/** One config or secret field of a connection type, from its JSON Schema. */
export interface Field {
  name: string;
  schema: FieldSchema;
  required: boolean;
  secret: boolean;
}

/** What the user typed, per field; booleans are '' (the type's default), 'true' or 'false'. */
export type FieldValues = Record<string, string>;

export function fieldsOf(schema: FieldsSchema | undefined, secret: boolean): Field[] {
  const required = new Set(schema?.required ?? []);
  return Object.entries(schema?.properties ?? {}).map(([name, s]) => ({ name, schema: s, required: required.has(name), secret }));
}

const WORDS: Record<string, string> = { url: 'URL', api: 'API', tls: 'TLS', id: 'ID', uri: 'URI' };

/** The field's declared title; a schema that declares none (an older manifest) gets one from its name. */
export function fieldTitle(field: Pick<Field, 'name' | 'schema'>): string {
  return field.schema.title ?? fieldLabel(field.name);
}

/** `serverUrl` → "Server URL". */
export function fieldLabel(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase()
    .split(' ');
  const text = words.map((w) => WORDS[w] ?? w).join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The typed values to send: empty fields are left out, so the server applies its defaults. */
export function valuesToSend(fields: Field[], values: FieldValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const raw = values[field.name] ?? '';
    if (raw === '') continue;
    const type = field.schema.type;
    if (type === 'boolean') out[field.name] = raw === 'true';
    else if ((type === 'integer' || type === 'number') && raw.trim() !== '' && !Number.isNaN(Number(raw))) out[field.name] = Number(raw);
    else out[field.name] = raw;
  }
  return out;
}

/** Current config values as form values (never secrets: those are write-only). */
export function valuesFromConfig(config: Record<string, unknown>): FieldValues {
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)]));
}

function FieldInput({
  field,
  value,
  onChange,
  keepHint,
}: {
  field: Field;
  value: string;
  onChange(value: string): void;
  keepHint?: boolean;
}) {
  const hintId = useId();
  const { schema } = field;
  const label = `${fieldTitle(field)}${field.required && !keepHint ? '' : ' (optional)'}`;
  const common = { name: field.name, 'aria-describedby': schema.description ? hintId : undefined };
  let input;
  if (schema.type === 'boolean') {
    input = (
      <select {...common} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">Default{schema.default !== undefined ? ` (${schema.default ? 'yes' : 'no'})` : ''}</option>
        <option value="true">Yes</option>
        <option value="false">No</option>
      </select>
    );
  } else if (schema.enum) {
    input = (
      <select {...common} value={value} required={field.required && !keepHint} onChange={(e) => onChange(e.target.value)}>
        <option value="">{field.required ? 'Choose…' : 'Default'}</option>
        {schema.enum.map((v) => (
          <option key={String(v)} value={String(v)}>
            {String(v)}
          </option>
        ))}
      </select>
    );
  } else {
    const numeric = schema.type === 'integer' || schema.type === 'number';
    const masked = field.secret || schema.sensitive === true;
    input = (
      <input
        {...common}
        type={masked ? 'password' : numeric ? 'number' : 'text'}
        // Secrets are never filled in by the browser's password manager or read back.
        autoComplete={masked ? 'new-password' : 'off'}
        value={value}
        required={field.required && !keepHint}
        placeholder={
          keepHint && field.secret
            ? 'leave empty to keep the current value'
            : (schema.placeholder ??
              (schema.examples?.[0] !== undefined ? String(schema.examples[0]) : undefined) ??
              (schema.default !== undefined ? String(schema.default) : undefined))
        }
        min={schema.minimum}
        max={schema.maximum}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  }
  return (
    <div className="integrations-field">
      <label>
        {label}
        {input}
      </label>
      {schema.description ? (
        <p className="hint" id={hintId}>
          {schema.description}
        </p>
      ) : null}
    </div>
  );
}

/**
 * The inputs for a type's config or secret fields. Secrets are password inputs that start empty;
 * with `keep` (editing), an empty secret keeps the stored one.
 */
export function ConnectionFields({
  fields,
  values,
  onChange,
  keep,
}: {
  fields: Field[];
  values: FieldValues;
  onChange(values: FieldValues): void;
  keep?: boolean;
}) {
  return (
    <>
      {fields.map((field) => (
        <FieldInput
          key={field.name}
          field={field}
          value={values[field.name] ?? ''}
          keepHint={keep}
          onChange={(v) => onChange({ ...values, [field.name]: v })}
        />
      ))}
    </>
  );
}
