import type { DeclaredStep } from './run-structure';

export interface Position {
  x: number;
  y: number;
}

export const NODE_WIDTH = 190;
export const NODE_HEIGHT = 66;
const GAP_X = 40;
const GAP_Y = 70;

/**
 * Places the steps top-down: each step has at most one `after`, so they form a forest; a step
 * sits one row below the step it follows, centred over the steps that follow it.
 */
export function layoutSteps(steps: readonly DeclaredStep[]): { positions: Map<string, Position>; rows: number; columns: number } {
  const ids = new Set(steps.map((s) => s.id));
  const children = new Map<string, string[]>();
  const roots: string[] = [];
  for (const step of steps) {
    const parent = step.after && ids.has(step.after.step) && step.after.step !== step.id ? step.after.step : null;
    if (parent === null) roots.push(step.id);
    else children.set(parent, [...(children.get(parent) ?? []), step.id]);
  }
  const column = new Map<string, number>();
  const row = new Map<string, number>();
  let nextColumn = 0;
  const place = (id: string, depth: number) => {
    if (row.has(id)) return;
    row.set(id, depth);
    const kids = (children.get(id) ?? []).filter((k) => !row.has(k));
    kids.forEach((k) => place(k, depth + 1));
    const placed = kids.map((k) => column.get(k)).filter((c): c is number => c !== undefined);
    column.set(id, placed.length > 0 ? (Math.min(...placed) + Math.max(...placed)) / 2 : nextColumn++);
  };
  roots.forEach((id) => place(id, 0));
  // Steps in a cycle (a document that was never valid) are still shown, in a row of their own.
  steps.filter((s) => !row.has(s.id)).forEach((s) => place(s.id, 0));

  const positions = new Map<string, Position>();
  for (const id of ids)
    positions.set(id, { x: (column.get(id) ?? 0) * (NODE_WIDTH + GAP_X), y: (row.get(id) ?? 0) * (NODE_HEIGHT + GAP_Y) });
  return { positions, rows: Math.max(0, ...row.values()) + 1, columns: Math.max(1, nextColumn) };
}
