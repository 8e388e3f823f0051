import { Background, Controls, Handle, MarkerType, Position, ReactFlow, useReactFlow } from '@xyflow/react';
import type { Connection, Edge, EdgeChange, FinalConnectionState, Node, NodeChange, NodeProps, XYPosition } from '@xyflow/react';
import '../../components/flow-theme.css';
import { Fragment, useEffect, useMemo, useRef, useState } from 'react';
import { stepsEditable, stepsOf } from './document';
import type { Doc } from './document';
import { GraphEditPanel } from './graph-edit-panel';
import type { Selection } from './graph-edit-panel';
import { channelsFor, connectAfter, deleteStepKeepingFollowers, disconnect, placeInRow, rowsOf } from './graph-edit';
import type { ActionChannels, GraphEdit } from './graph-edit';
import { scheduleOf, triggerLabel } from './schedule';
import type { ActionDoc } from './types';
import './reactions-graph.css';

const TRIGGER = '__trigger';
const COLUMN = 230;
const ROW = 130;
// Given up front: nodes rebuilt on each change of the document would otherwise lose the size
// React Flow measured, and could stay hidden until measured again.
const NODE_SIZE = { width: 190, height: 72 };
// The trigger's text (a long event type, a glob) gets two lines under its kind.
const TRIGGER_SIZE = { width: 190, height: 82 };

const stepNodeId = (id: string) => `step:${id}`;
const edgeId = (child: string) => `after:${child}`;

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

type StepNodeData = { id: string; uses: string; channels: readonly string[] };
type StepNode = Node<StepNodeData, 'step'>;

/** A step: one input on top, one output per channel its action ends on (drag from one to a step to run that step then). */
function StepNodeView({ data, isConnectable }: NodeProps<StepNode>) {
  const count = data.channels.length;
  return (
    <>
      <Handle type="target" position={Position.Top} isConnectable={isConnectable} />
      <strong>{data.id}</strong>
      <code>{data.uses || '(no action)'}</code>
      <span className="reactions-graph-channels" aria-hidden="true">
        {data.channels.map((channel) => (
          <span key={channel}>{channel}</span>
        ))}
      </span>
      {data.channels.map((channel, i) => (
        <Handle
          key={channel}
          id={channel}
          type="source"
          position={Position.Bottom}
          isConnectable={isConnectable}
          className={`reactions-graph-handle-${channel === 'failed' || channel === 'rejected' ? 'bad' : 'good'}`}
          style={{ left: `${((i + 0.5) * 100) / count}%` }}
          title={`When ${data.id} ends on ${channel}: drag to a step to run it then`}
        />
      ))}
    </>
  );
}

const nodeTypes = { step: StepNodeView };

export function graphOf(doc: Doc, actions: readonly ActionChannels[] = [], selected: Selection = null): { nodes: Node[]; edges: Edge[] } {
  const steps = stepsOf(doc);
  const byId = new Map(steps.map((s) => [s.id, s]));
  const rows = rowsOf(doc);
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
      selectable: false,
      draggable: false,
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
    members.forEach((step, i) => {
      // A channel a follower names that the action lacks still gets its output, so its edge shows (the problem list says what is wrong).
      const named = steps.filter((s) => s.after?.step === step.id).map((s) => s.after!.channel);
      const channels = [...new Set([...channelsFor(step.uses, actions), ...named])];
      nodes.push({
        id: stepNodeId(step.id),
        type: 'step',
        position: { x: offset + i * COLUMN, y: depth * ROW },
        className: 'reactions-graph-step',
        ...NODE_SIZE,
        selected: selected?.kind === 'step' && selected.id === step.id,
        data: { id: step.id, uses: step.uses, channels },
        ariaLabel: `Step ${step.id} using ${step.uses || 'no action'}`,
      });
    });
  }
  const marker = { type: MarkerType.ArrowClosed, color: 'var(--muted)' };
  const edges: Edge[] = steps.flatMap((step): Edge[] => {
    const isSelected = selected?.kind === 'edge' && selected.child === step.id;
    if (!step.after)
      return [
        {
          id: edgeId(step.id),
          source: TRIGGER,
          target: stepNodeId(step.id),
          markerEnd: marker,
          selected: isSelected,
          ariaLabel: `${step.id} runs first`,
        },
      ];
    if (!byId.has(step.after.step)) return [];
    return [
      {
        id: edgeId(step.id),
        source: stepNodeId(step.after.step),
        sourceHandle: step.after.channel,
        target: stepNodeId(step.id),
        label: step.after.channel,
        markerEnd: marker,
        selected: isSelected,
        ariaLabel: `${step.id} runs after ${step.after.step} ends on ${step.after.channel}`,
        className: `reactions-graph-edge-${step.after.channel === 'failed' || step.after.channel === 'rejected' ? 'bad' : 'good'}`,
      },
    ];
  });
  return { nodes, edges };
}

/** Fits the view again when the layout changes (a step added, moved or connected elsewhere), so every step stays on screen. */
function FitOnChange({ layout }: { layout: string }) {
  const flow = useReactFlow();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    void flow.fitView({ padding: 0.2, maxZoom: 1.2 });
  }, [layout, flow]);
  return null;
}

const stepOfNode = (nodeId: string | null | undefined) => (nodeId?.startsWith('step:') ? nodeId.slice('step:'.length) : null);

/**
 * The steps as a graph: the trigger on top, each step under the step (and channel) it waits for.
 * With `onChange`, it is also an editor: drag from a step's channel to another step, select a
 * step or a connection to change or delete it (the Delete key too), or add a step after one.
 */
export default function ReactionGraph({
  doc,
  actions = [],
  onChange,
}: {
  doc: Doc;
  actions?: ActionDoc[];
  /** Absent: the graph is only a view (a reader, or steps the form cannot show). */
  onChange?: (doc: Doc) => void;
}) {
  const editable = onChange !== undefined && stepsEditable(doc);
  const [selection, setSelection] = useState<Selection>(null);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  const [addChannel, setAddChannel] = useState<string | null>(null);
  const steps = stepsOf(doc);
  // A selection the document no longer holds (edited in the YAML view, deleted) is dropped.
  const current: Selection =
    selection && steps.some((s) => s.id === (selection.kind === 'step' ? selection.id : selection.child)) ? selection : null;
  const { nodes: laidOut, edges } = useMemo(() => graphOf(doc, actions, current), [doc, actions, current]);
  // A step being dragged sideways follows the pointer; where it is dropped sets its place in its row.
  const [dragged, setDragged] = useState<{ id: string; position: XYPosition } | null>(null);
  const nodes = dragged ? laidOut.map((n) => (n.id === dragged.id ? { ...n, position: dragged.position } : n)) : laidOut;
  const scheduled = scheduleOf(doc) !== null;

  const apply = (edit: GraphEdit) => {
    if (!edit.ok) return setOutcome({ ok: false, text: edit.reason });
    setOutcome({ ok: true, text: edit.message });
    onChange?.(edit.doc);
    if (edit.select) setSelection({ kind: 'step', id: edit.select });
    else setSelection(null);
  };
  const select = (next: Selection) => {
    setSelection(next);
    setAddChannel(null);
  };

  const onNodesChange = (changes: NodeChange[]) => {
    for (const change of changes) {
      if (change.type === 'position' && change.position && change.dragging) setDragged({ id: change.id, position: change.position });
      if (change.type !== 'select') continue;
      const id = stepOfNode(change.id);
      if (change.selected && id) select({ kind: 'step', id });
      else if (!change.selected) setSelection((s) => (s?.kind === 'step' && s.id === id ? null : s));
    }
  };
  const onEdgesChange = (changes: EdgeChange[]) => {
    for (const change of changes) {
      if (change.type !== 'select') continue;
      const child = change.id.slice('after:'.length);
      if (change.selected) select({ kind: 'edge', child });
      else setSelection((s) => (s?.kind === 'edge' && s.child === child ? null : s));
    }
  };
  const onNodeDragStop = (_: unknown, node: Node) => {
    setDragged(null);
    const id = stepOfNode(node.id);
    const row = [...rowsOf(doc).values()].find((r) => r.some((s) => s.id === id));
    if (!id || !row) return;
    const x = (stepId: string) => (stepId === id ? node.position.x : (laidOut.find((n) => n.id === stepNodeId(stepId))?.position.x ?? 0));
    const order = row.map((s) => s.id).sort((a, b) => x(a) - x(b));
    apply(placeInRow(doc, id, order.indexOf(id)));
  };
  const onConnect = (c: Connection) => {
    const child = stepOfNode(c.target);
    if (!child) return;
    if (c.source === TRIGGER) {
      const step = steps.find((s) => s.id === child);
      if (step && !step.after) return setOutcome({ ok: true, text: `${child} already runs first.` });
      return apply(disconnect(doc, child, scheduled));
    }
    const parent = stepOfNode(c.source);
    if (parent) apply(connectAfter(doc, child, parent, c.sourceHandle ?? 'success', actions));
  };
  // A connection dropped on a step's body (not only its input dot) connects to that step; one
  // dropped on empty canvas offers to add a step there, on the channel it came from.
  const onConnectEnd = (event: MouseEvent | TouchEvent, state: FinalConnectionState) => {
    const from = stepOfNode(state.fromNode?.id);
    if (state.isValid || !from || state.fromHandle?.type !== 'source') return;
    const channel = state.fromHandle.id ?? 'success';
    const point = 'changedTouches' in event ? event.changedTouches[0] : event;
    const under = point ? document.elementFromPoint(point.clientX, point.clientY) : null;
    const onto = stepOfNode(under?.closest('.react-flow__node')?.getAttribute('data-id'));
    if (onto && onto !== from)
      return onConnect({ source: stepNodeId(from), sourceHandle: channel, target: stepNodeId(onto), targetHandle: null });
    select({ kind: 'step', id: from });
    setAddChannel(channel);
    setOutcome({ ok: true, text: `Choose the action of the step to run when ${from} ends on ${channel}.` });
  };
  // Delete (or Backspace) removes what is selected, when the keys go to the graph: focus in it, or
  // on nothing (a click on a connection leaves it there), never while typing in a field.
  const root = useRef<HTMLDivElement>(null);
  const onDelete = useRef<() => void>(() => undefined);
  onDelete.current = () => {
    if (!editable || !current) return;
    apply(current.kind === 'step' ? deleteStepKeepingFollowers(doc, current.id) : disconnect(doc, current.child, scheduled));
  };
  useEffect(() => {
    const listener = (e: KeyboardEvent) => {
      if (e.key !== 'Delete' && e.key !== 'Backspace') return;
      const focus = document.activeElement;
      if (focus !== document.body && !(focus && root.current?.contains(focus))) return;
      if (focus instanceof HTMLElement && focus.closest('input, select, textarea')) return;
      e.preventDefault();
      onDelete.current();
    };
    document.addEventListener('keydown', listener);
    return () => document.removeEventListener('keydown', listener);
  }, []);

  return (
    <div className="reactions-graph flow-themed" ref={root}>
      <div
        className="reactions-graph-canvas"
        role="figure"
        aria-label="Graph of the reaction's steps"
        aria-describedby={editable ? 'reactions-graph-hint' : undefined}
      >
        <ReactFlow
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          fitView
          fitViewOptions={{ padding: 0.2, maxZoom: 1.2 }}
          nodesDraggable={editable}
          nodesConnectable={editable}
          elementsSelectable={editable}
          edgesFocusable={editable}
          nodesFocusable={editable}
          deleteKeyCode={null}
          // The view fits every step after each change; panning while a connection is dragged near the
          // edge would move the step being aimed at from under the pointer.
          autoPanOnConnect={false}
          onNodesChange={onNodesChange}
          onEdgesChange={onEdgesChange}
          onNodeDragStop={onNodeDragStop}
          onConnect={onConnect}
          onConnectEnd={onConnectEnd}
          onPaneClick={() => select(null)}
          minZoom={0.3}
        >
          <Background gap={16} />
          <Controls showInteractive={false} />
          <FitOnChange layout={laidOut.map((n) => `${n.id}@${n.position.x},${n.position.y}`).join(' ')} />
        </ReactFlow>
      </div>
      {editable ? (
        <>
          <p id="reactions-graph-hint" className="hint">
            Drag from a step’s channel (the dots under it) to another step to run that step then, or a step sideways to reorder its row;
            select a step or a connection to change it below, or press Delete to remove it.
          </p>
          {outcome ? (
            <p className={`notice ${outcome.ok ? 'notice-info' : 'notice-warn'}`} role={outcome.ok ? 'status' : 'alert'}>
              {outcome.ok ? outcome.text : `Not changed: ${outcome.text}`}
            </p>
          ) : null}
          <GraphEditPanel doc={doc} actions={actions} selection={current} presetChannel={addChannel} scheduled={scheduled} onEdit={apply} />
        </>
      ) : null}
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
                first, {scheduled ? 'at each tick of' : 'when'} <code>{triggerLabel(doc) || 'the event'}</code>
                {scheduled ? null : ' arrives'}
              </>
            )}
            .
          </li>
        ))}
      </ul>
    </div>
  );
}
