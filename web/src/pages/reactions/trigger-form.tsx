import { useContext, useState } from 'react';
import type { ReactNode } from 'react';
import { fieldLabel } from '../integrations/connection-fields';
import type { ConnectionType, FieldSchema } from '../integrations/types';
import { getIn, isObject, setIn, triggerOf } from './document';
import type { Doc } from './document';
import { numberOrText } from './field-kinds';
import { ConnectionsContext, DeclarationsContext, PickerInput, resourcePicker } from './pickers';
import { ScheduleFields, TriggerKind } from './schedule-form';
import { triggerOwner } from './trigger-owner';
import { YamlInput } from './yaml-input';

const text = (value: unknown) => (typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value));

/**
 * `on`: the event type or glob, the filter, the CEL condition, and for connection events where
 * they come from; or, for a reaction started by time, its schedule.
 */
export function TriggerForm({
  doc,
  onChange,
  eventTypes,
  disabled,
}: {
  doc: Doc;
  onChange(doc: Doc): void;
  /** Suggestions for the event type: well-known ones and those seen recently. */
  eventTypes: string[];
  disabled?: boolean;
}) {
  const on = isObject(doc.on) ? doc.on : {};
  const set = (key: string, value: unknown) => onChange(setIn(doc, ['on', key], value === '' ? undefined : value));
  const connection = typeof on.connection === 'string' && on.connection !== '' ? on.connection : null;
  const owner = triggerOwner(triggerOf(doc), connection, useContext(DeclarationsContext), useContext(ConnectionsContext));
  const legend = (
    <legend>
      Trigger (<code>on</code>)
    </legend>
  );

  if (isObject(on.schedule)) {
    return (
      <fieldset className="reactions-section" disabled={disabled}>
        {legend}
        <TriggerKind doc={doc} onChange={onChange} />
        <ScheduleFields schedule={on.schedule} set={(schedule) => set('schedule', schedule)} />
        <Concurrency doc={doc} onChange={onChange} />
      </fieldset>
    );
  }

  return (
    <fieldset className="reactions-section" disabled={disabled}>
      {legend}
      <TriggerKind doc={doc} onChange={onChange} />
      <div className="reactions-row">
        <div className="reactions-field">
          <label htmlFor="trigger-event">Event type</label>
          <input
            id="trigger-event"
            list="trigger-event-types"
            value={text(on.event)}
            autoComplete="off"
            spellCheck={false}
            aria-describedby="trigger-event-hint"
            onChange={(e) => set('event', e.target.value)}
          />
          <datalist id="trigger-event-types">
            {eventTypes.map((t) => (
              <option key={t} value={t} />
            ))}
          </datalist>
          <span id="trigger-event-hint" className="hint">
            An exact type or a glob: <code>*</code> any characters, <code>?</code> one.
          </span>
        </div>
        <div className="reactions-field">
          <label htmlFor="trigger-connection">Connection</label>
          <PickerInput
            id="trigger-connection"
            value={text(on.connection)}
            picker={{ source: 'connections', type: null }}
            describedBy="trigger-connection-hint"
            onChange={(v) => set('connection', v)}
            disabled={disabled}
          />
          <span id="trigger-connection-hint" className="hint">
            Only events that came through this connection (optional).
          </span>
        </div>
      </div>
      {owner ? <TriggerOptions type={owner} on={on} set={set} disabled={disabled} /> : null}
      <FilterRows
        filter={isObject(on.filter) ? on.filter : {}}
        onChange={(filter) => set('filter', Object.keys(filter).length > 0 ? filter : undefined)}
        disabled={disabled}
      />
      <div className="reactions-field reactions-field-wide">
        <label htmlFor="trigger-if">
          Condition (<code>if</code>)
        </label>
        <textarea
          id="trigger-if"
          rows={2}
          value={text(on.if)}
          spellCheck={false}
          placeholder={'data.environment == "production" && data.commit.branch == "main"'}
          aria-describedby="trigger-if-hint"
          onChange={(e) => set('if', e.target.value)}
        />
        <span id="trigger-if-hint" className="hint">
          A CEL expression over <code>event</code> and <code>data</code>; the reaction runs only when it is true.
        </span>
      </div>
      <Concurrency doc={doc} onChange={onChange} />
    </fieldset>
  );
}

/** A trigger option that takes one value or a list (`categories: [A, B]`), shown comma-separated. */
const takesList = (schema: FieldSchema) => schema.type === 'array' || (schema.anyOf ?? []).some((s) => s.type === 'array');

/** The options the connection type that owns the trigger's events declares for `on:` (its `trigger` schema), with pickers where it lists resources. */
function TriggerOptions({
  type,
  on,
  set,
  disabled,
}: {
  type: ConnectionType;
  on: Record<string, unknown>;
  set(key: string, value: unknown): void;
  disabled?: boolean;
}) {
  return (
    <div className="reactions-row" role="group" aria-label={`${type.title} options`}>
      {Object.entries(type.trigger?.properties ?? {}).map(([key, schema]) => {
        const id = `trigger-${key}`;
        const label = `${type.title} ${(schema.title ?? fieldLabel(key)).toLowerCase()}`;
        const placeholder = schema.placeholder ?? (schema.examples?.[0] !== undefined ? String(schema.examples[0]) : undefined);
        const hint = schema.description ? (
          <span id={`${id}-hint`} className="hint">
            {takesList(schema) ? 'Comma-separated. ' : ''}
            {schema.description}
          </span>
        ) : null;
        const describedBy = schema.description ? `${id}-hint` : undefined;
        let input: ReactNode;
        if (takesList(schema)) {
          const value = on[key];
          input = (
            <input
              id={id}
              value={Array.isArray(value) ? value.map(String).join(', ') : text(value)}
              placeholder={placeholder}
              aria-describedby={describedBy}
              onChange={(e) => {
                const list = e.target.value
                  .split(',')
                  .map((c) => c.trim())
                  .filter((c) => c !== '');
                set(key, list.length > 0 ? list : undefined);
              }}
            />
          );
        } else {
          input = (
            <PickerInput
              id={id}
              value={text(on[key])}
              picker={resourcePicker(type, key, on)}
              describedBy={describedBy}
              placeholder={placeholder}
              onChange={(v) => set(key, v)}
              disabled={disabled}
            />
          );
        }
        return (
          <div className="reactions-field" key={key}>
            <label htmlFor={id}>{label}</label>
            {input}
            {hint}
          </div>
        );
      })}
    </div>
  );
}

/** `on.filter`: field path → a value or a list of values, all of which must match. */
function FilterRows({
  filter,
  onChange,
  disabled,
}: {
  filter: Record<string, unknown>;
  onChange(filter: Record<string, unknown>): void;
  disabled?: boolean;
}) {
  const entries = Object.entries(filter);
  const rename = (from: string, to: string) => {
    if (to === '' || to === from || to in filter) return;
    onChange(Object.fromEntries(entries.map(([k, v]) => [k === from ? to : k, v])));
  };
  const add = () => {
    let key = 'environment';
    for (let n = 2; key in filter; n += 1) key = `field${n}`;
    onChange({ ...filter, [key]: '' });
  };
  return (
    <div className="reactions-field reactions-field-wide" role="group" aria-labelledby="trigger-filter-title">
      <span id="trigger-filter-title" className="reactions-group-title">
        Filter
      </span>
      <span className="hint">
        Every field must match; dotted paths into the event's data (<code>service.name</code>); a value or a list{' '}
        <code>[Production, Staging]</code>.
      </span>
      {entries.map(([key, value], i) => (
        <div className="reactions-map-row" key={i}>
          <FilterKey index={i} value={key} onCommit={(to) => rename(key, to)} disabled={disabled} />
          <label className="reactions-compact">
            Value
            <YamlInput
              id={`filter-value-${i}`}
              inline
              // A new row's value is empty text: the box starts empty, and what is typed is the value.
              value={value === '' ? undefined : value}
              disabled={disabled}
              onChange={(v) => onChange({ ...filter, [key]: v === undefined ? '' : v })}
            />
          </label>
          <button
            type="button"
            className="button-small"
            disabled={disabled}
            aria-label={`Remove filter ${key}`}
            onClick={() => onChange(Object.fromEntries(entries.filter(([k]) => k !== key)))}
          >
            Remove
          </button>
        </div>
      ))}
      <div>
        <button type="button" className="button-small" disabled={disabled} onClick={add}>
          Add filter
        </button>
      </div>
    </div>
  );
}

/** A filter's field path, renamed when the typing is done (so no half-typed name collides with another). */
function FilterKey({ index, value, onCommit, disabled }: { index: number; value: string; onCommit(to: string): void; disabled?: boolean }) {
  const [draft, setDraft] = useState(value);
  const [shown, setShown] = useState(value);
  if (shown !== value) {
    setShown(value);
    setDraft(value);
  }
  const commit = () => {
    onCommit(draft.trim());
    setDraft(value);
  };
  return (
    <label className="reactions-compact">
      Field
      <input
        id={`filter-key-${index}`}
        value={draft}
        disabled={disabled}
        spellCheck={false}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => e.key === 'Enter' && commit()}
      />
    </label>
  );
}

function Concurrency({ doc, onChange }: { doc: Doc; onChange(doc: Doc): void }) {
  const concurrency = isObject(doc.concurrency) ? doc.concurrency : {};
  const set = (key: string, value: unknown) => {
    const next = setIn(concurrency, [key], value);
    onChange(setIn(doc, ['concurrency'], Object.keys(next).length > 0 ? next : undefined));
  };
  return (
    <div className="reactions-row">
      <div className="reactions-field">
        <label htmlFor="concurrency-key">Concurrency key</label>
        <input
          id="concurrency-key"
          value={text(getIn(doc, ['concurrency', 'key']))}
          placeholder="{{ data.serviceAlias }}"
          spellCheck={false}
          aria-describedby="concurrency-hint"
          onChange={(e) => set('key', e.target.value === '' ? undefined : e.target.value)}
        />
        <span id="concurrency-hint" className="hint">
          Runs with the same rendered key wait for each other (optional).
        </span>
      </div>
      <div className="reactions-field">
        <label htmlFor="concurrency-limit">At most at once</label>
        <input
          id="concurrency-limit"
          inputMode="numeric"
          value={text(concurrency.limit)}
          placeholder="1"
          onChange={(e) => set('limit', numberOrText(e.target.value))}
        />
      </div>
    </div>
  );
}
