import { useState } from 'react';
import { stepsOf } from './document';
import type { Doc } from './document';
import { addStepAfter, channelsFor, connectAfter, deleteStepKeepingFollowers, disconnect, moveInRow } from './graph-edit';
import type { GraphEdit } from './graph-edit';
import { ActionSelect } from './step-editor';
import type { ActionDoc } from './types';

/** What is selected on the graph: a step, or the connection into a step (each step has one). */
export type Selection = { kind: 'step'; id: string } | { kind: 'edge'; child: string } | null;

const SEP = '\u0000';

/**
 * The graph's edits as buttons and lists, for the keyboard and for precise choices: what the
 * selection is, what runs after it, and the step to add after it on which channel.
 */
export function GraphEditPanel({
  doc,
  actions,
  selection,
  presetChannel,
  scheduled,
  onEdit,
}: {
  doc: Doc;
  actions: ActionDoc[];
  selection: Selection;
  /** The channel a connection was dropped from, offered first for the new step. */
  presetChannel: string | null;
  scheduled: boolean;
  onEdit(edit: GraphEdit): void;
}) {
  const [uses, setUses] = useState('http.request');
  const [chosenChannel, setChosenChannel] = useState<{ for: string; channel: string } | null>(null);
  const steps = stepsOf(doc);
  const first = scheduled ? 'first, at each tick' : 'first, when the event arrives';

  if (!selection) {
    return (
      <section className="reactions-graph-panel" aria-label="Edit the graph">
        <p className="muted">Select a step or a connection in the graph to change it, or add a step that runs first.</p>
        <div className="reactions-row">
          <div className="reactions-field">
            <label htmlFor="graph-first-action">First step's action</label>
            <ActionSelect id="graph-first-action" value={uses} actions={actions} onChange={setUses} />
          </div>
          <button type="button" onClick={() => onEdit(addStepAfter(doc, null, 'success', uses, actions))}>
            Add a first step
          </button>
        </div>
      </section>
    );
  }

  if (selection.kind === 'edge') {
    const step = steps.find((s) => s.id === selection.child)!;
    return (
      <section className="reactions-graph-panel" aria-label="Edit the graph">
        <h3>
          {step.after ? (
            <>
              Connection: {step.id} runs after {step.after.step} ends on {step.after.channel}
            </>
          ) : (
            <>
              Connection: {step.id} runs {first}
            </>
          )}
        </h3>
        <button type="button" className="danger" onClick={() => onEdit(disconnect(doc, step.id, scheduled))}>
          Remove connection
        </button>
      </section>
    );
  }

  const step = steps.find((s) => s.id === selection.id)!;
  const channels = channelsFor(step.uses, actions);
  const preset = presetChannel && channels.includes(presetChannel) ? presetChannel : null;
  const channel = chosenChannel?.for === step.id ? chosenChannel.channel : (preset ?? channels[0]!);
  const afterValue = step.after ? `${step.after.step}${SEP}${step.after.channel}` : '';
  const afterOptions = steps
    .filter((s) => s.id !== step.id)
    .flatMap((s) => channelsFor(s.uses, actions).map((c) => ({ value: `${s.id}${SEP}${c}`, label: `after ${s.id} ends on ${c}` })));
  if (step.after && !afterOptions.some((o) => o.value === afterValue))
    afterOptions.push({ value: afterValue, label: `after ${step.after.step} ends on ${step.after.channel}` });

  return (
    <section className="reactions-graph-panel" aria-label="Edit the graph">
      <h3>
        Step {step.id} <code>{step.uses || '(no action)'}</code>
      </h3>
      <div className="reactions-row">
        <div className="reactions-field">
          <label htmlFor="graph-step-after">Runs</label>
          <select
            id="graph-step-after"
            value={afterValue}
            onChange={(e) => {
              const [parent, on] = e.target.value.split(SEP);
              onEdit(parent ? connectAfter(doc, step.id, parent, on!, actions) : disconnect(doc, step.id, scheduled));
            }}
          >
            <option value="">{first}</option>
            {afterOptions.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
        <div className="reactions-step-tools">
          <button type="button" className="button-small" onClick={() => onEdit(moveInRow(doc, step.id, -1))}>
            Move left
          </button>
          <button type="button" className="button-small" onClick={() => onEdit(moveInRow(doc, step.id, 1))}>
            Move right
          </button>
          <button type="button" className="button-small danger" onClick={() => onEdit(deleteStepKeepingFollowers(doc, step.id))}>
            Delete step
          </button>
        </div>
      </div>
      <fieldset className="reactions-section">
        <legend>Add a step after {step.id}</legend>
        <div className="reactions-row">
          <div className="reactions-field">
            <label htmlFor="graph-add-channel">When {step.id} ends on</label>
            <select id="graph-add-channel" value={channel} onChange={(e) => setChosenChannel({ for: step.id, channel: e.target.value })}>
              {channels.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </div>
          <div className="reactions-field">
            <label htmlFor="graph-add-action">Its action</label>
            <ActionSelect id="graph-add-action" value={uses} actions={actions} onChange={setUses} />
          </div>
          <button type="button" onClick={() => onEdit(addStepAfter(doc, step.id, channel, uses, actions))}>
            Add step after {step.id}
          </button>
        </div>
      </fieldset>
    </section>
  );
}
