// The reaction document as the user wrote it, edited in place: the form changes only the keys it
// shows and copies everything else through, so keys it cannot represent (and keys a newer server
// knows) survive a round trip between the form, the YAML view and the server.

export type Doc = Record<string, unknown>;

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The value at `path`, or undefined when any part of the way is missing. */
export function getIn(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

/**
 * A copy of `obj` with `value` at `path` (undefined removes the key). Each object on the way is
 * copied so React sees the change; existing keys keep their place, new ones go last.
 */
export function setIn(obj: Record<string, unknown>, path: readonly string[], value: unknown): Record<string, unknown> {
  const [key, ...rest] = path;
  if (key === undefined) return obj;
  const next = { ...obj };
  if (rest.length === 0) {
    if (value === undefined) delete next[key];
    else next[key] = value;
    return next;
  }
  const child = isObject(obj[key]) ? obj[key] : {};
  next[key] = setIn(child, rest, value);
  return next;
}

export interface StepRef {
  step: string;
  channel: string;
}

/** `after` as the validator reads it: a bare step id means its `success` channel. */
export function afterOf(raw: unknown): StepRef | null {
  if (typeof raw === 'string' && raw !== '') return { step: raw, channel: 'success' };
  if (isObject(raw) && typeof raw.step === 'string')
    return { step: raw.step, channel: typeof raw.channel === 'string' && raw.channel !== '' ? raw.channel : 'success' };
  return null;
}

export interface StepEntry {
  id: string;
  body: Record<string, unknown>;
  uses: string;
  after: StepRef | null;
}

/** The steps in document order; a step that is not an object shows as an empty one (its problem comes from the server). */
export function stepsOf(doc: Doc): StepEntry[] {
  const steps = doc.steps;
  if (!isObject(steps)) return [];
  return Object.entries(steps).map(([id, raw]) => {
    const body = isObject(raw) ? raw : {};
    return { id, body, uses: typeof body.uses === 'string' ? body.uses : '', after: afterOf(body.after) };
  });
}

/** Whether the form can show `steps` (a mapping); otherwise it is left to the YAML view. */
export const stepsEditable = (doc: Doc) => doc.steps === undefined || isObject(doc.steps);

export function setStep(doc: Doc, id: string, body: Record<string, unknown>): Doc {
  return setIn(doc, ['steps', id], body);
}

/** A step id not taken yet, from `base` (`notify`, `notify-2`, ...). */
export function freeStepId(doc: Doc, base: string): string {
  const taken = new Set(stepsOf(doc).map((s) => s.id));
  const clean =
    base
      .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[^a-z0-9]+/, '') || 'step';
  if (!taken.has(clean)) return clean;
  for (let n = 2; ; n += 1) if (!taken.has(`${clean}-${n}`)) return `${clean}-${n}`;
}

export function addStep(doc: Doc, uses: string): Doc {
  const id = freeStepId(doc, uses.split('.').pop() ?? 'step');
  return setStep(doc, id, { uses, with: {} });
}

/** Renames a step where it stands and points the steps that ran after it at the new id. */
export function renameStep(doc: Doc, from: string, to: string): Doc {
  if (from === to || !isObject(doc.steps)) return doc;
  const steps: Record<string, unknown> = {};
  for (const [id, raw] of Object.entries(doc.steps)) {
    let body = raw;
    if (isObject(raw) && afterOf(raw.after)?.step === from) {
      body = { ...raw, after: typeof raw.after === 'string' ? to : { ...(raw.after as object), step: to } };
    }
    steps[id === from ? to : id] = body;
  }
  return { ...doc, steps };
}

/** Moves a step one place up or down in document order (which is also the form's order). */
export function moveStep(doc: Doc, id: string, by: -1 | 1): Doc {
  if (!isObject(doc.steps)) return doc;
  const entries = Object.entries(doc.steps);
  const at = entries.findIndex(([key]) => key === id);
  const to = at + by;
  if (at < 0 || to < 0 || to >= entries.length) return doc;
  const [moved] = entries.splice(at, 1);
  entries.splice(to, 0, moved!);
  return { ...doc, steps: Object.fromEntries(entries) };
}

export function emptyDocument(): Doc {
  return { name: '', on: { event: 'deploy.recorded' }, steps: {} };
}

export const sameDocument = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The trigger's event type or glob, when it is text. */
export const triggerOf = (doc: Doc): string => {
  const event = getIn(doc, ['on', 'event']);
  return typeof event === 'string' ? event : '';
};

/**
 * Event types offered while typing the trigger: each event Shipline and the connection types
 * declare (GET /api/v1/event-types), then a glob for each dotted prefix (`octopus.deployment.*`,
 * `octopus.*`), and `<type>.*` for a type whose webhooks bring events it does not list one by one.
 */
export function suggestedEventTypes(declared: readonly string[], inboundTypes: readonly string[] = []): string[] {
  const out: string[] = [];
  for (const type of declared) {
    const parts = type.split('.');
    // `webhook.<name>` stands for one type per named webhook: offered as its glob.
    if (!/[<>]/.test(type)) out.push(type);
    for (let n = parts.length - 1; n >= 1; n--) out.push(`${parts.slice(0, n).join('.')}.*`);
  }
  for (const type of inboundTypes) out.push(`${type}.*`);
  return [...new Set(out)];
}
