import { useState } from 'react';
import { getIn, isObject, setIn, triggerOf } from './document';
import type { Doc } from './document';
import { numberOrText } from './field-kinds';
import { PickerInput } from './pickers';
import type { Picker } from './pickers';
import { YamlInput } from './yaml-input';

const text = (value: unknown) => (typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value));

/** `on`: the event type or glob, the filter, the CEL condition, and for connection events where they come from. */
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
  const event = triggerOf(doc);
  const octopus = event.startsWith('octopus.') || event === 'octopus*';
  const connection = typeof on.connection === 'string' && on.connection !== '' ? on.connection : null;
  const resourcePicker = (kind: 'projects' | 'environments'): Picker =>
    connection ? { source: 'octopus', kind, connection } : { source: 'waiting', note: `Choose the connection to pick from its ${kind}.` };
  const categories = Array.isArray(on.categories) ? on.categories.map(String).join(', ') : text(on.categories);

  return (
    <fieldset className="reactions-section" disabled={disabled}>
      <legend>
        Trigger (<code>on</code>)
      </legend>
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
      {octopus ? (
        <div className="reactions-row">
          <div className="reactions-field">
            <label htmlFor="trigger-categories">Octopus categories</label>
            <input
              id="trigger-categories"
              value={categories}
              placeholder="DeploymentSucceeded, DeploymentFailed"
              aria-describedby="trigger-categories-hint"
              onChange={(e) => {
                const list = e.target.value
                  .split(',')
                  .map((c) => c.trim())
                  .filter((c) => c !== '');
                set('categories', list.length > 0 ? list : undefined);
              }}
            />
            <span id="trigger-categories-hint" className="hint">
              Comma-separated; <code>octopus.deployment.*</code> defaults to succeeded and failed.
            </span>
          </div>
          <div className="reactions-field">
            <label htmlFor="trigger-project">Octopus project</label>
            <PickerInput
              id="trigger-project"
              value={text(on.project)}
              picker={resourcePicker('projects')}
              onChange={(v) => set('project', v)}
              disabled={disabled}
            />
          </div>
          <div className="reactions-field">
            <label htmlFor="trigger-environment">Octopus environment</label>
            <PickerInput
              id="trigger-environment"
              value={text(on.environment)}
              picker={resourcePicker('environments')}
              onChange={(v) => set('environment', v)}
              disabled={disabled}
            />
          </div>
        </div>
      ) : null}
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
              value={value}
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
