import { useState } from 'react';
import { useSession } from '../../lib/session';
import { isObject, setIn } from './document';
import type { StepEntry } from './document';
import { numberOrText } from './field-kinds';
import type { ActionDoc } from './types';
import { WithFields } from './with-fields';

const SEP = '\u0000';
const DEFAULT_CHANNELS = ['success', 'failed'];

/** Actions grouped by provider prefix (`octopus.deployRelease` → octopus); plain names are Shipline's own. */
export function groupActions(actions: ActionDoc[]): Array<[string, ActionDoc[]]> {
  const groups = new Map<string, ActionDoc[]>();
  for (const action of actions) {
    const group = action.name.includes('.') ? action.name.split('.')[0]! : 'shipline';
    groups.set(group, [...(groups.get(group) ?? []), action]);
  }
  return [...groups.entries()].sort(([a], [b]) => (a === 'shipline' ? -1 : b === 'shipline' ? 1 : a.localeCompare(b)));
}

export function ActionSelect({
  id,
  value,
  actions,
  onChange,
  disabled,
}: {
  id: string;
  value: string;
  actions: ActionDoc[];
  onChange(name: string): void;
  disabled?: boolean;
}) {
  const known = actions.some((a) => a.name === value);
  return (
    <select id={id} value={value} disabled={disabled} onChange={(e) => onChange(e.target.value)}>
      {value === '' ? <option value="">Choose an action…</option> : null}
      {!known && value !== '' ? <option value={value}>{value} (unknown)</option> : null}
      {groupActions(actions).map(([group, members]) => (
        <optgroup key={group} label={group}>
          {members.map((a) => (
            <option key={a.name} value={a.name}>
              {a.name}
              {a.adminOnly ? ' (admins only)' : ''}
            </option>
          ))}
        </optgroup>
      ))}
    </select>
  );
}

/** One step of the form: id, action, when it runs, its limits and its input. */
export function StepEditor({
  step,
  index,
  count,
  earlier,
  actions,
  onChange,
  onRename,
  onRemove,
  onMove,
  disabled,
  scheduled,
}: {
  step: StepEntry;
  index: number;
  count: number;
  /** The steps before this one in the document, which it may run after. */
  earlier: StepEntry[];
  actions: ActionDoc[];
  onChange(body: Record<string, unknown>): void;
  onRename(id: string): void;
  onRemove(): void;
  onMove(by: -1 | 1): void;
  disabled?: boolean;
  /** Whether time starts the reaction (its first steps run at each tick, not when an event arrives). */
  scheduled?: boolean;
}) {
  const { can } = useSession();
  const [idText, setIdText] = useState(step.id);
  const [shownId, setShownId] = useState(step.id);
  if (shownId !== step.id) {
    setShownId(step.id);
    setIdText(step.id);
  }
  const action = actions.find((a) => a.name === step.uses);
  const prefix = `step-${index}`;
  const channelsOf = (uses: string) => actions.find((a) => a.name === uses)?.channels ?? DEFAULT_CHANNELS;
  const afterValue = step.after ? `${step.after.step}${SEP}${step.after.channel}` : '';
  const afterOptions = earlier.flatMap((s) =>
    channelsOf(s.uses).map((channel) => ({ value: `${s.id}${SEP}${channel}`, label: `${s.id} ends on ${channel}` })),
  );
  if (step.after && !afterOptions.some((o) => o.value === afterValue))
    afterOptions.push({ value: afterValue, label: `${step.after.step} ends on ${step.after.channel}` });
  // The action's own time limit (an HTTP request's, a script's), if it has one: named apart from the step's.
  const actionTimeout = action?.config?.properties?.timeout ? (action.config.properties.timeout.title ?? 'Timeout') : null;
  const withValue = isObject(step.body.with) ? step.body.with : {};
  const retry = isObject(step.body.retry) ? step.body.retry : {};

  const changeAction = (uses: string) => {
    // Keep the inputs the new action also takes; the rest belonged to the old one.
    const next = actions.find((a) => a.name === uses);
    const keep = next?.config?.properties
      ? Object.fromEntries(Object.entries(withValue).filter(([k]) => k in next.config!.properties!))
      : withValue;
    onChange({ ...step.body, uses, with: keep });
  };
  const commitId = () => {
    const next = idText.trim();
    if (next !== '' && next !== step.id) onRename(next);
    else setIdText(step.id);
  };

  return (
    <section className="card reactions-step" aria-labelledby={`${prefix}-title`} data-step={step.id}>
      <div className="reactions-step-head">
        <h3 id={`${prefix}-title`}>
          Step {index + 1}: {step.id}
        </h3>
        {!disabled ? (
          <div className="reactions-step-tools">
            <button
              type="button"
              className="button-small"
              disabled={index === 0}
              onClick={() => onMove(-1)}
              aria-label={`Move step ${step.id} up`}
            >
              ↑
            </button>
            <button
              type="button"
              className="button-small"
              disabled={index === count - 1}
              onClick={() => onMove(1)}
              aria-label={`Move step ${step.id} down`}
            >
              ↓
            </button>
            <button type="button" className="button-small danger" onClick={onRemove} aria-label={`Remove step ${step.id}`}>
              Remove
            </button>
          </div>
        ) : null}
      </div>
      <div className="reactions-row">
        <div className="reactions-field">
          <label htmlFor={`${prefix}-id`}>Step id</label>
          <input
            id={`${prefix}-id`}
            value={idText}
            disabled={disabled}
            spellCheck={false}
            onChange={(e) => setIdText(e.target.value)}
            onBlur={commitId}
            onKeyDown={(e) => e.key === 'Enter' && commitId()}
          />
        </div>
        <div className="reactions-field">
          <label htmlFor={`${prefix}-uses`}>Action</label>
          <ActionSelect id={`${prefix}-uses`} value={step.uses} actions={actions} onChange={changeAction} disabled={disabled} />
        </div>
        <div className="reactions-field">
          <label htmlFor={`${prefix}-after`}>Runs</label>
          <select
            id={`${prefix}-after`}
            value={afterValue}
            disabled={disabled}
            onChange={(e) => {
              const [afterStep, channel] = e.target.value.split(SEP);
              onChange(setIn(step.body, ['after'], afterStep ? { step: afterStep, channel } : undefined));
            }}
          >
            <option value="">{scheduled ? 'first, at each tick' : 'first, when the event arrives'}</option>
            {afterOptions.map((o) => (
              <option key={o.value} value={o.value}>
                after {o.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      {action ? (
        <p className="hint">
          {action.description}
          {action.channels.length > 0 ? ` Ends on: ${action.channels.join(', ')}.` : ''}
        </p>
      ) : null}
      {action?.adminOnly && !can('admin') ? (
        <p className="notice notice-warn">Only admins may save a reaction using {action.name}.</p>
      ) : null}
      <div className="reactions-row">
        <div className="reactions-field">
          <label htmlFor={`${prefix}-timeout`}>Step timeout</label>
          <input
            id={`${prefix}-timeout`}
            value={step.body.timeout === undefined ? '' : String(step.body.timeout)}
            placeholder="10m (default)"
            disabled={disabled}
            aria-describedby={`${prefix}-timeout-hint`}
            onChange={(e) => onChange(setIn(step.body, ['timeout'], numberOrText(e.target.value)))}
          />
          <span id={`${prefix}-timeout-hint`} className="hint">
            How long one attempt of the step may take before Shipline stops it (and retries).
            {actionTimeout ? ` The ${actionTimeout.toLowerCase()} below is the action's own limit.` : ''}
          </span>
        </div>
        <div className="reactions-field">
          <label htmlFor={`${prefix}-attempts`}>Attempts</label>
          <input
            id={`${prefix}-attempts`}
            inputMode="numeric"
            placeholder="3 (default)"
            disabled={disabled}
            value={retry.attempts === undefined ? '' : String(retry.attempts)}
            onChange={(e) => {
              const next = setIn(retry, ['attempts'], numberOrText(e.target.value));
              onChange(setIn(step.body, ['retry'], Object.keys(next).length > 0 ? next : undefined));
            }}
          />
        </div>
      </div>
      {action?.config?.properties ? (
        <fieldset className="reactions-with" disabled={disabled}>
          <legend>
            Input (<code>with</code>)
          </legend>
          <WithFields
            schema={action.config}
            value={withValue}
            idPrefix={`${prefix}-with`}
            action={step.uses}
            disabled={disabled}
            onChange={(next) => onChange({ ...step.body, with: next })}
          />
        </fieldset>
      ) : step.uses ? (
        <p className="hint">This action's input is edited in the YAML view.</p>
      ) : null}
    </section>
  );
}
