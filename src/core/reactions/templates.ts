import { CaptureTag, Context, Liquid, toValue, toValueSync } from 'liquidjs';
import type { Emitter, Template } from 'liquidjs';
import { Budget } from './budget.js';
import { errorMessage } from '../error-message.js';

/** What a step's templates can see. */
export interface TemplateScope {
  event: unknown;
  data: unknown;
  steps: Record<string, { output: unknown }>;
  secrets: Record<string, string>;
  run: { id: string; reaction: string; version: number };
}

/** A template that does not parse or does not render; `path` locates the leaf inside `with`. */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
  /** Where the template sits in the rendered value (`headers.Authorization`), '' for a lone string. */
  readonly path: string;
  /** The undefined variable, when that is what failed (`data.service.nmae`). */
  readonly variable: string | null;

  constructor(message: string, options: { path?: string; variable?: string | null; cause?: unknown } = {}) {
    super(options.path ? `${options.path}: ${message}` : message, { cause: options.cause });
    this.path = options.path ?? '';
    this.variable = options.variable ?? null;
  }
}

const liquid = new Liquid({
  strictVariables: true,
  strictFilters: true,
  // A reaction author must not read the host through templates: no prototype walking, and
  // `include`/`render`/`layout` resolve against an empty in-memory set instead of the disk.
  ownPropertyOnly: true,
  templates: {},
  // `{{ data.x | default: "n/a" }}` and `{% if data.x %}` are how authors handle optional
  // fields; without this, strict variables would make both throw.
  lenientIf: true,
  // Guards against `{% for i in (1..1000000000) %}`: templates run inline with dispatch. Render
  // time, memory and output are bounded by the Budget each rendering is given (see render below).
  parseLimit: 100_000,
  // Named, so that Liquid does not ask Intl for the host's default: that one call loads ICU's
  // locale and time zone data, about 9 MiB resident for the life of the process, at every start
  // (docs/decisions/0043). Day and month names in `date` are English whatever the host's LANG.
  locale: 'en-US',
});

/**
 * `capture` renders into a string of its own, which neither the output count nor Liquid's memory
 * count sees; a loop that captures a variable twice into itself doubles it each time. Counting
 * what each capture holds as allocated bounds that too.
 */
class CountedCapture extends CaptureTag {
  override *render(ctx: Context): Generator<unknown, void, string> {
    yield* super.render(ctx);
    const captured = ctx.bottom()[this.variable];
    ctx.memoryLimit.use(typeof captured === 'string' ? captured.length : 0);
  }
}
liquid.registerTag('capture', CountedCapture);

// Templates repeat for every event, so parsing once matters more than anything else here.
// A Map keeps insertion order: re-inserting on a hit makes it a small LRU. Beside a parse, the
// secret names it reads, once asked: every step asks before it renders, and walking the parse
// for its variables cost more than rendering it (decision 0060).
const CACHE_LIMIT = 2000;
interface Parsed {
  templates: Template[];
  secrets?: readonly string[];
}
const parsed = new Map<string, Parsed>();

function parsedEntry(template: string): Parsed {
  const hit = parsed.get(template);
  if (hit) {
    parsed.delete(template);
    parsed.set(template, hit);
    return hit;
  }
  const entry = { templates: liquid.parse(template) };
  if (parsed.size >= CACHE_LIMIT) parsed.delete(parsed.keys().next().value as string);
  parsed.set(template, entry);
  return entry;
}

function parse(template: string): Template[] {
  return parsedEntry(template).templates;
}

/** True when the string holds Liquid markup; other strings are used exactly as written. */
export function isTemplate(value: string): boolean {
  return value.includes('{{') || value.includes('{%');
}

/** Liquid's `undefined variable: x, line:1, col:4` as `undefined variable x (line 1, column 4)`. */
function tidy(message: string): string {
  return message
    .replace(/^undefined variable: /, 'undefined variable ')
    .replace(/, line:(\d+), col:(\d+)$/, (_, line: string, col: string) => ` (line ${line}, column ${col})`);
}

/**
 * Renders one string; non-templates come back untouched without invoking Liquid. Rendering runs
 * under `budget` (default: a budget of its own, as for one step); past it, TemplateError says why.
 */
export function renderString(template: string, scope: TemplateScope, budget: Budget = new Budget('one step')): string {
  return renderAt(template, scope, '', budget);
}

function renderAt(template: string, scope: TemplateScope, path: string, budget: Budget): string {
  if (!isTemplate(template)) return template;
  let tpl: Template[];
  try {
    tpl = parse(template);
  } catch (err) {
    throw new TemplateError(tidy(errorMessage(err)), { path, cause: err });
  }
  try {
    budget.checkTime();
    return render(tpl, scope, budget);
  } catch (err) {
    // Liquid wraps what its limits throw; the budget knows whether it was the cause.
    if (budget.exceeded !== null) throw new TemplateError(budget.exceeded, { path, cause: err });
    const e = err as Error;
    const variable = e.name === 'UndefinedVariableError' ? (/^undefined variable: ([^,]+)/.exec(e.message)?.[1] ?? null) : null;
    throw new TemplateError(tidy(e.message), { path, variable, cause: err });
  }
}

/**
 * `liquid.renderSync` with the budget in Liquid's own places: its render-time check (called
 * before each template node and loop iteration), its memory count, and an emitter that counts
 * the output as it is written, so a loop printing megabytes stops at the cap, not after it.
 */
function render(tpl: Template[], scope: TemplateScope, budget: Budget): string {
  const renderLimit = { check: (now: number) => budget.checkTime(now) };
  const memoryLimit = { use: (units: number) => budget.chargeMemory(+units) };
  const limits = { renderLimit, memoryLimit, liquid } as unknown as ConstructorParameters<typeof Context>[3];
  const ctx = new Context(scope, liquid.options, { sync: true }, limits);
  const emitter = new CountingEmitter(budget);
  toValueSync(liquid.renderer.renderTemplates(tpl, ctx, emitter));
  return emitter.buffer;
}

class CountingEmitter implements Emitter {
  buffer = '';
  constructor(private readonly budget: Budget) {}

  write(html: unknown): void {
    const text = stringify(html);
    this.budget.chargeOutput(text.length);
    this.buffer += text;
  }
}

/** Liquid's own stringify (not exported): drops' values, nil as '', lists joined. */
function stringify(value: unknown): string {
  const v: unknown = toValue(value);
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(stringify).join('');
  return String(v);
}

/**
 * Renders every string leaf of `value` (objects and arrays leaf by leaf; other scalars and object
 * keys unchanged). Rendered leaves are strings: `{{ data.count }}` gives "3", not 3. Throws
 * TemplateError naming the leaf and, for strict-variable failures, the variable. All leaves
 * share `budget` (default: a budget of its own, as for one step).
 */
export function renderValue(value: unknown, scope: TemplateScope, budget: Budget = new Budget('one step')): unknown {
  return renderDeep(value, scope, '', budget);
}

function renderDeep(value: unknown, scope: TemplateScope, path: string, budget: Budget): unknown {
  if (typeof value === 'string') return renderAt(value, scope, path, budget);
  if (Array.isArray(value)) return value.map((item, i) => renderDeep(item, scope, `${path}[${i}]`, budget));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = renderDeep(item, scope, joinPath(path, key), budget);
    return out;
  }
  return value;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** `a` + `b` → `a.b`; the root path '' gives `b`. */
export function joinPath(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** Calls `visit` for every string leaf that holds Liquid markup, with its path from `path`. */
export function eachTemplate(value: unknown, path: string, visit: (template: string, path: string) => void): void {
  if (typeof value === 'string') {
    if (isTemplate(value)) visit(value, path);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => eachTemplate(item, `${path}[${i}]`, visit));
  } else if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) eachTemplate(item, joinPath(path, key), visit);
  }
}

/** Parse errors (syntax, unknown filter, unknown tag) in every string leaf, as `path: message`. */
export function templateProblems(value: unknown, path: string): string[] {
  const problems: string[] = [];
  eachTemplate(value, path, (template, at) => {
    try {
      parse(template);
    } catch (err) {
      problems.push(`${at}: ${tidy(errorMessage(err))}`);
    }
  });
  return problems;
}

/**
 * A variable a template reads from its scope, as path segments: `secrets.TOKEN` is
 * ['secrets', 'TOKEN'], `steps[x].output` is ['steps', null, 'output'] (null: computed at render
 * time). Variables the template defines itself (`assign`, `for`) are not included.
 */
export type Reference = ReadonlyArray<string | number | null>;

/** The scope variables a template reads; throws when it does not parse. */
export function templateReferences(template: string): Reference[] {
  return referencesOf(parse(template));
}

function referencesOf(templates: Template[]): Reference[] {
  return liquid
    .globalVariableSegmentsSync(templates)
    .map((segments) => segments.map((s) => (typeof s === 'string' || typeof s === 'number' ? s : null)));
}

/** Secret names read as `secrets.NAME` or `secrets["NAME"]` in any string leaf, each once. */
export function referencedSecrets(value: unknown): string[] {
  const names = new Set<string>();
  eachTemplate(value, '', (template) => {
    for (const name of secretsIn(template)) names.add(name);
  });
  return [...names];
}

function secretsIn(template: string): readonly string[] {
  try {
    const entry = parsedEntry(template);
    entry.secrets ??= referencesOf(entry.templates).flatMap(([root, name]) =>
      root === 'secrets' && typeof name === 'string' ? [name] : [],
    );
    return entry.secrets;
  } catch {
    return []; // validation reports the parse error
  }
}
