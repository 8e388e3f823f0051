import { useState } from 'react';
import { addStep, moveStep, renameStep, setIn, setStep, stepsEditable, stepsOf } from './document';
import { deleteStepKeepingFollowers } from './graph-edit';
import type { Doc } from './document';
import { scheduleOf } from './schedule';
import { ActionSelect } from './step-editor';
import { StepEditor } from './step-editor';
import { TriggerForm } from './trigger-form';
import type { ActionDoc } from './types';

/** The document as a form: what it is, when it runs, and its steps. */
/** The document without step `id`; the steps that ran after it take its place, so none waits for a step that is gone. */
function removed(doc: Doc, id: string): Doc {
  const edit = deleteStepKeepingFollowers(doc, id);
  return edit.ok ? edit.doc : doc;
}

export function FormView({
  doc,
  onChange,
  actions,
  eventTypes,
  isNew,
  disabled,
}: {
  doc: Doc;
  onChange(doc: Doc): void;
  actions: ActionDoc[];
  eventTypes: string[];
  /** A new reaction gets its name here; a saved one keeps the name in its URL. */
  isNew: boolean;
  disabled?: boolean;
}) {
  const [newAction, setNewAction] = useState('http.request');
  const steps = stepsOf(doc);
  const set = (key: string, value: unknown) => onChange(setIn(doc, [key], value));

  return (
    <div className="reactions-form">
      <fieldset className="reactions-section" disabled={disabled}>
        <legend>Reaction</legend>
        <div className="reactions-row">
          <div className="reactions-field">
            <label htmlFor="reaction-name">Name</label>
            <input
              id="reaction-name"
              value={typeof doc.name === 'string' ? doc.name : ''}
              readOnly={!isNew}
              spellCheck={false}
              aria-describedby="reaction-name-hint"
              onChange={(e) => set('name', e.target.value)}
            />
            <span id="reaction-name-hint" className="hint">
              {isNew ? 'Lowercase letters, digits, "-", "_" and "."; it cannot change later.' : 'The name is fixed once saved.'}
            </span>
          </div>
          {isNew ? (
            <label className="inline reactions-enabled">
              <input
                type="checkbox"
                checked={doc.enabled !== false}
                onChange={(e) => set('enabled', e.target.checked ? undefined : false)}
              />
              Enabled
            </label>
          ) : null}
        </div>
        <div className="reactions-field reactions-field-wide">
          <label htmlFor="reaction-description">Description</label>
          <input
            id="reaction-description"
            value={typeof doc.description === 'string' ? doc.description : ''}
            onChange={(e) => set('description', e.target.value === '' ? undefined : e.target.value)}
          />
        </div>
      </fieldset>

      <TriggerForm doc={doc} onChange={onChange} eventTypes={eventTypes} disabled={disabled} />

      <h2>Steps</h2>
      {!stepsEditable(doc) ? (
        <p className="notice notice-warn">The steps are not a mapping of step id to step; fix them in the YAML view.</p>
      ) : (
        <>
          {steps.length === 0 ? <p className="muted">No steps yet: a reaction needs at least one.</p> : null}
          {steps.map((step, i) => (
            <StepEditor
              key={step.id}
              step={step}
              index={i}
              count={steps.length}
              earlier={steps.slice(0, i)}
              actions={actions}
              disabled={disabled}
              scheduled={scheduleOf(doc) !== null}
              onChange={(body) => onChange(setStep(doc, step.id, body))}
              onRename={(id) => onChange(renameStep(doc, step.id, id))}
              onRemove={() => onChange(removed(doc, step.id))}
              onMove={(by) => onChange(moveStep(doc, step.id, by))}
            />
          ))}
          {!disabled ? (
            <div className="reactions-row reactions-add-step">
              <div className="reactions-field">
                <label htmlFor="new-step-action">New step's action</label>
                <ActionSelect id="new-step-action" value={newAction} actions={actions} onChange={setNewAction} />
              </div>
              <button type="button" onClick={() => onChange(addStep(doc, newAction))} disabled={!newAction}>
                Add step
              </button>
            </div>
          ) : null}
        </>
      )}
    </div>
  );
}
