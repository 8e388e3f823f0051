import { Background, Controls, Handle, MarkerType, Position, ReactFlow } from '@xyflow/react';
import type { Edge, Node, NodeProps } from '@xyflow/react';
import '../../components/flow-theme.css';
import { useMemo } from 'react';
import type { RunStep } from './run-structure';
import { stateLabel, stepState } from './run-structure';
import { layoutSteps, NODE_HEIGHT, NODE_WIDTH } from './step-layout';

type StepNodeData = { step: RunStep; selected: boolean };
type StepNode = Node<StepNodeData, 'step'>;

/**
 * A step as a button, so the graph can be used with the keyboard like the rest of the page; its
 * clicks (mouse, Enter, Space) bubble to the graph's onNodeClick, which also keeps React Flow
 * from letting them fall through to the pane.
 */
function StepNodeView({ data }: NodeProps<StepNode>) {
  const { step, selected } = data;
  const label = stateLabel(step);
  return (
    <>
      <Handle type="target" position={Position.Top} isConnectable={false} />
      <button
        type="button"
        className="runs-node nodrag nopan"
        data-state={stepState(step)}
        aria-pressed={selected}
        aria-label={`Step ${step.id}: ${label}`}
      >
        <strong>{step.id}</strong>
        <code>{step.uses || 'unknown action'}</code>
        <span className="runs-node-state">{label}</span>
      </button>
      <Handle type="source" position={Position.Bottom} isConnectable={false} />
    </>
  );
}

const nodeTypes = { step: StepNodeView };

/**
 * The run as its reaction's step tree: a node per step coloured by its state, an edge per
 * `after` labelled with the channel it waits on; edges the run took are drawn solid.
 */
export default function StepGraph({
  steps,
  selected,
  onSelect,
}: {
  steps: RunStep[];
  selected: string | undefined;
  onSelect(id: string): void;
}) {
  const layout = useMemo(() => layoutSteps(steps), [steps]);
  const nodes: StepNode[] = steps.map((step) => ({
    id: step.id,
    type: 'step',
    position: layout.positions.get(step.id) ?? { x: 0, y: 0 },
    // Fixed sizes: every refresh passes new node objects, and unmeasured nodes stay hidden until measured again.
    width: NODE_WIDTH,
    height: NODE_HEIGHT,
    data: { step, selected: step.id === selected },
  }));
  const byId = new Map(steps.map((s) => [s.id, s]));
  const edges: Edge[] = steps.flatMap((step) => {
    const parent = step.after ? byId.get(step.after.step) : undefined;
    if (!step.after || !parent) return [];
    const ended = parent.execution?.channel ?? null;
    const taken = ended === step.after.channel;
    return [
      {
        id: `${parent.id}->${step.id}`,
        source: parent.id,
        target: step.id,
        label: step.after.channel,
        className: taken ? 'runs-edge-taken' : ended ? 'runs-edge-not-taken' : undefined,
        animated: taken && ['running', 'pending'].includes(step.execution?.status ?? ''),
        markerEnd: { type: MarkerType.ArrowClosed, color: taken ? 'var(--accent)' : 'var(--muted)' },
      },
    ];
  });
  // Tall enough for every row at a readable size; wide trees are scaled down to fit.
  const height = Math.min(560, Math.max(200, layout.rows * (NODE_HEIGHT + 70) + 40));

  return (
    <div className="runs-graph flow-themed" style={{ height }}>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        fitView
        fitViewOptions={{ padding: 0.15, maxZoom: 1 }}
        minZoom={0.2}
        nodesDraggable={false}
        nodesConnectable={false}
        nodesFocusable={false}
        edgesFocusable={false}
        elementsSelectable={false}
        onNodeClick={(_, node) => onSelect(node.id)}
        zoomOnScroll={false}
        preventScrolling={false}
      >
        <Background />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
