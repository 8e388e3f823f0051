import { Background, Controls, MarkerType, ReactFlow } from '@xyflow/react';
import type { Edge, Node } from '@xyflow/react';
import '../../components/flow-theme.css';
import { Fragment, useMemo } from 'react';
import { stepsOf } from './document';
import type { Doc, StepEntry } from './document';
import { scheduleOf, triggerLabel } from './schedule';
import './reactions-graph.css';

const TRIGGER = '__trigger';
const COLUMN = 230;
const ROW = 120;
// Given up front: nodes rebuilt on each change of the document would otherwise lose the size
// React Flow measured, and could stay hidden until measured again.
const NODE_SIZE = { width: 190, height: 56 };
// The trigger's text (a long event type, a glob) gets two lines under its kind.
const TRIGGER_SIZE = { width: 190, height: 82 };

/** A dotted name that may wrap after its dots (and only there, short of a part wider than the node). */
function dotted(text: string) {
  const parts = text.split('.');
  return parts.map((part, i) => (
    <Fragment key={i}>
      {i < parts.length - 1 ? `${part}.` : part}
      {i < parts.length - 1 ? <wbr /> : null}
    </Fragment>
  ));
}

/** How many `after` hops from the trigger: steps that run first are 1. A cycle or a missing step stops the count. */
function depthOf(step: StepEntry, byId: Map<string, StepEntry>): number {
  let depth = 1;
  const seen = new Set([step.id]);
  let next = step.after ? byId.get(step.after.step) : undefined;
  while (next && !seen.has(next.id)) {
    seen.add(next.id);
    depth += 1;
    next = next.after ? byId.get(next.after.step) : undefined;
  }
  return depth;
}

export function graphOf(doc: Doc): { nodes: Node[]; edges: Edge[] } {
  const steps = stepsOf(doc);
  const byId = new Map(steps.map((s) => [s.id, s]));
  const rows = new Map<number, StepEntry[]>();
  for (const step of steps) {
    const depth = depthOf(step, byId);
    rows.set(depth, [...(rows.get(depth) ?? []), step]);
  }
  const scheduled = scheduleOf(doc) !== null;
  const trigger = triggerLabel(doc);
  const widest = Math.max(1, ...[...rows.values()].map((r) => r.length));
  const centre = ((widest - 1) * COLUMN) / 2;
  const nodes: Node[] = [
    {
      id: TRIGGER,
      type: 'input',
      position: { x: centre, y: 0 },
      className: 'reactions-graph-trigger',
      ...TRIGGER_SIZE,
      data: {
        label: (
          <>
            <span className="reactions-graph-kind">{scheduled ? 'schedule' : 'on'}</span>
            <strong className="reactions-graph-trigger-text" title={trigger || undefined}>
              {trigger ? dotted(trigger) : '(no event)'}
            </strong>
          </>
        ),
      },
      ariaLabel: `${scheduled ? 'Schedule' : 'Trigger'}: ${trigger || 'no event'}`,
    },
  ];
  for (const [depth, members] of rows) {
    const offset = centre - ((members.length - 1) * COLUMN) / 2;
    members.forEach((step, i) =>
      nodes.push({
        id: `step:${step.id}`,
        position: { x: offset + i * COLUMN, y: depth * ROW },
        className: 'reactions-graph-step',
        ...NODE_SIZE,
        data: {
          label: (
            <>
              <strong>{step.id}</strong>
              <code>{step.uses || '(no action)'}</code>
            </>
          ),
        },
        ariaLabel: `Step ${step.id} using ${step.uses || 'no action'}`,
      }),
    );
  }
  const marker = { type: MarkerType.ArrowClosed, color: 'var(--muted)' };
  const edges: Edge[] = steps.flatMap((step): Edge[] => {
    if (!step.after) return [{ id: `${TRIGGER}->${step.id}`, source: TRIGGER, target: `step:${step.id}`, markerEnd: marker }];
    if (!byId.has(step.after.step)) return [];
    return [
      {
        id: `${step.after.step}->${step.id}`,
        source: `step:${step.after.step}`,
        target: `step:${step.id}`,
        label: step.after.channel,
        markerEnd: marker,
        className: `reactions-graph-edge-${step.after.channel === 'failed' || step.after.channel === 'rejected' ? 'bad' : 'good'}`,
      },
    ];
  });
  return { nodes, edges };
}

/** The steps as a graph: the trigger on top, each step under the step (and channel) it waits for. */
export default function ReactionGraph({ doc }: { doc: Doc }) {
  const { nodes, edges } = useMemo(() => graphOf(doc), [doc]);
  const steps = stepsOf(doc);
  return (
    <div className="reactions-graph flow-themed">
      <div className="reactions-graph-canvas" role="figure" aria-label="Graph of the reaction's steps">
        <ReactFlow
          nodes={nodes}
          edges={edges}
          fitView
          fitViewOptions={{ padding: 0.2, maxZoom: 1.2 }}
          nodesDraggable={false}
          nodesConnectable={false}
          elementsSelectable={false}
          minZoom={0.3}
        >
          <Background gap={16} />
          <Controls showInteractive={false} />
        </ReactFlow>
      </div>
      <ul className="reactions-graph-text" aria-label="Steps in order">
        {steps.map((s) => (
          <li key={s.id}>
            <strong>{s.id}</strong> ({s.uses || 'no action'}) runs{' '}
            {s.after ? (
              <>
                after <strong>{s.after.step}</strong> ends on <em>{s.after.channel}</em>
              </>
            ) : (
              <>
                first, {scheduleOf(doc) ? 'at each tick of' : 'when'} <code>{triggerLabel(doc) || 'the event'}</code>
                {scheduleOf(doc) ? null : ' arrives'}
              </>
            )}
            .
          </li>
        ))}
      </ul>
    </div>
  );
}
