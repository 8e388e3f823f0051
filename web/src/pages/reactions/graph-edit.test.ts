import { describe, expect, it } from 'vitest';
import { stepsOf } from './document';
import type { Doc } from './document';
import { addStepAfter, connectAfter, deleteStepKeepingFollowers, disconnect, moveInRow, orderByAfter, placeInRow } from './graph-edit';

const actions = [
  { name: 'http.request', channels: ['success', 'failed'] },
  { name: 'approval', channels: ['approved', 'rejected', 'failed'] },
];

/** build → notify (success), build → page (failed), page → ask (approval) */
const doc: Doc = {
  name: 'r',
  on: { event: 'deploy.recorded' },
  steps: {
    build: { uses: 'http.request', with: { url: 'https://example.com' } },
    notify: { uses: 'http.request', after: 'build' },
    page: { uses: 'http.request', after: { step: 'build', channel: 'failed' } },
    ask: { uses: 'approval', after: { step: 'page', channel: 'success' } },
  },
};

const afterOfStep = (d: Doc, id: string) => stepsOf(d).find((s) => s.id === id)?.after ?? null;
const order = (d: Doc) => stepsOf(d).map((s) => s.id);

function edited(result: ReturnType<typeof connectAfter>): Doc {
  if (!result.ok) throw new Error(result.reason);
  return result.doc;
}

describe('graph edits', () => {
  it('adds a step after another on the chosen channel, with a free id, keeping the rest', () => {
    const result = addStepAfter(doc, 'build', 'failed', 'http.request', actions);
    expect(result).toMatchObject({ ok: true, select: 'request', message: 'Added request: it runs after build ends on failed.' });
    const next = edited(result);
    expect(afterOfStep(next, 'request')).toEqual({ step: 'build', channel: 'failed' });
    expect((next.steps as Record<string, unknown>).build).toBe((doc.steps as Record<string, unknown>).build);
    expect(afterOfStep(edited(addStepAfter(doc, null, 'success', 'approval', actions)), 'approval')).toBeNull();
  });

  it("refuses a channel the step's action does not end on, and a step that is not there", () => {
    expect(addStepAfter(doc, 'build', 'approved', 'http.request', actions)).toEqual({
      ok: false,
      reason: 'build (http.request) has no channel approved: it ends on success, failed.',
    });
    expect(addStepAfter(doc, 'nope', 'success', 'http.request', actions)).toMatchObject({ ok: false });
    expect(connectAfter(doc, 'notify', 'ask', 'maybe', actions)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('approved, rejected, failed'),
    });
  });

  it('connects a step after another, moving it below its new predecessor in document order', () => {
    const next = edited(connectAfter(doc, 'notify', 'ask', 'rejected', actions));
    expect(afterOfStep(next, 'notify')).toEqual({ step: 'ask', channel: 'rejected' });
    expect(order(next)).toEqual(['build', 'page', 'ask', 'notify']);
    // Already below its new predecessor: nothing else moves.
    const kept = connectAfter(doc, 'ask', 'notify', 'failed', actions);
    expect(kept).toMatchObject({ ok: true, message: 'ask now runs after notify ends on failed (it ran after page on success).' });
    expect(order(edited(kept))).toEqual(order(doc));
  });

  it('refuses a connection that would make steps wait for each other, naming the loop', () => {
    expect(connectAfter(doc, 'build', 'ask', 'approved', actions)).toEqual({
      ok: false,
      reason: 'build cannot run after ask: ask after page after build already, so the steps would wait for each other forever.',
    });
    expect(connectAfter(doc, 'page', 'page', 'success', actions)).toEqual({ ok: false, reason: 'page cannot run after itself.' });
  });

  it('removes a connection so the step runs first, and refuses to for a step that already does', () => {
    const result = disconnect(doc, 'page');
    expect(result).toMatchObject({ ok: true, message: 'page no longer runs after build: it runs first, when the event arrives.' });
    expect(afterOfStep(edited(result), 'page')).toBeNull();
    expect(disconnect(doc, 'build')).toMatchObject({ ok: false, reason: expect.stringContaining('build runs first') });
  });

  it('deletes a step and gives its followers its place, so no step waits for one that is gone', () => {
    const result = deleteStepKeepingFollowers(doc, 'page');
    expect(result).toMatchObject({ ok: true, message: 'Deleted page. ask now runs after build ends on failed, in its place.' });
    const next = edited(result);
    expect(order(next)).toEqual(['build', 'notify', 'ask']);
    expect(afterOfStep(next, 'ask')).toEqual({ step: 'build', channel: 'failed' });
    const root = edited(deleteStepKeepingFollowers(doc, 'build'));
    expect(afterOfStep(root, 'notify')).toBeNull();
    expect(afterOfStep(root, 'page')).toBeNull();
  });

  it('moves a step left or right among the steps of its row', () => {
    const next = edited(moveInRow(doc, 'page', -1));
    expect(order(next)).toEqual(['build', 'page', 'notify', 'ask']);
    expect(moveInRow(doc, 'notify', -1)).toEqual({ ok: false, reason: 'notify is already the first in its row.' });
    expect(moveInRow(doc, 'build', 1)).toEqual({ ok: false, reason: 'build is already the last in its row.' });
    // Dropped at a place in its row: before the step there, or after the last.
    expect(order(edited(placeInRow(doc, 'notify', 1)))).toEqual(['build', 'page', 'notify', 'ask']);
    expect(edited(placeInRow(doc, 'notify', 5))).toEqual(edited(placeInRow(doc, 'notify', 1)));
    const wide = edited(addStepAfter(doc, 'build', 'success', 'approval', actions));
    expect(placeInRow(wide, 'approval', 0)).toMatchObject({ ok: true, message: 'Moved approval before notify.' });
    expect(order(edited(placeInRow(wide, 'approval', 1)))).toEqual(['build', 'notify', 'approval', 'page', 'ask']);
    expect(placeInRow(doc, 'notify', 0)).toMatchObject({ ok: true, doc, message: 'notify stays where it was.' });
  });

  it('orders steps after their predecessors without moving what is already in order, and survives a loop', () => {
    const steps = doc.steps as Record<string, unknown>;
    expect(Object.keys(orderByAfter(steps))).toEqual(Object.keys(steps));
    const loop = { a: { after: 'b' }, b: { after: 'a' }, c: {} };
    expect(Object.keys(orderByAfter(loop)).sort()).toEqual(['a', 'b', 'c']);
  });
});
