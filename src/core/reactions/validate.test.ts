import Type from 'typebox';
import { describe, expect, it } from 'vitest';
import type { ActionInfo, ValidationContext } from './document.js';
import { DEFAULT_RETRY, parseReactionText, usesAdminOnlyAction, validateReaction } from './document.js';
import { OctopusTrigger } from '../../integrations/octopus/trigger.js';

const actions = new Map<string, ActionInfo>([
  [
    'http.request',
    {
      channels: ['success', 'failed'],
      config: Type.Object(
        {
          method: Type.Union([Type.Literal('GET'), Type.Literal('POST')]),
          url: Type.String(),
          headers: Type.Optional(Type.Record(Type.String(), Type.String())),
          body: Type.Optional(Type.Unknown()),
          retries: Type.Optional(Type.Integer({ minimum: 0 })),
        },
        { additionalProperties: false },
      ),
    },
  ],
  ['script', { channels: ['success', 'failed'], adminOnly: true, literalSettings: { run: 'no templates here; use with.env' } }],
  ['approval.wait', { channels: ['approved', 'rejected', 'failed'] }],
  ['log', { channels: ['success', 'failed'], config: Type.Object({ message: Type.String() }) }],
]);
// The trigger options Octopus declares, as the server passes every connection type's.
const ctx: ValidationContext = {
  actions,
  secrets: new Set(['MONITORING_TOKEN']),
  triggers: [{ type: 'octopus', schema: OctopusTrigger }],
};

const EXAMPLE = `
name: prod-deploys-to-monitoring
description: Mark production deploys in our monitoring system
enabled: true
on:
  event: deploy.recorded
  filter:
    environment: [Production, production]
    service.name: shopping_cart
  if: data.commit.branch == "main"
concurrency: { key: "{{ data.service }}", limit: 1 }
steps:
  mark:
    uses: http.request
    with:
      method: POST
      url: https://monitoring.example.com/api/deployments
      headers: { Authorization: "Bearer {{ secrets.MONITORING_TOKEN }}" }
      body: { service: "{{ data.service.name }}", version: "{{ data.deployNumber }}" }
    retry: { attempts: 5, backoff: exponential, initial: 2s, max: 5m }
    timeout: 30s
  smoke:
    after: { step: mark, channel: success }
    uses: script
    with: { run: './scripts/smoke.sh "$1" "$2"', args: ["{{ data.environment }}", "{{ steps.mark.output.status }}"] }
`;

function example(): Record<string, unknown> {
  const parsed = parseReactionText(EXAMPLE);
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return parsed.documents[0] as Record<string, unknown>;
}

/** The example with `value` set at a `/`-separated path (undefined deletes). */
function withChange(path: string, value: unknown): Record<string, unknown> {
  const doc = example();
  const keys = path.split('/');
  let target = doc;
  for (const key of keys.slice(0, -1)) target = target[key] as Record<string, unknown>;
  const last = keys.at(-1) as string;
  if (value === undefined) delete target[last];
  else target[last] = value;
  return doc;
}

function problemsOf(raw: unknown, context: ValidationContext = ctx): string[] {
  const result = validateReaction(raw, context);
  return result.ok ? [] : result.problems;
}

describe('validateReaction: a valid document', () => {
  it('normalizes the example', () => {
    const result = validateReaction(example(), ctx);
    expect(result).toEqual({
      ok: true,
      reaction: {
        name: 'prod-deploys-to-monitoring',
        description: 'Mark production deploys in our monitoring system',
        enabled: true,
        on: {
          event: 'deploy.recorded',
          filter: { environment: ['Production', 'production'], 'service.name': ['shopping_cart'] },
          if: 'data.commit.branch == "main"',
        },
        concurrency: { key: '{{ data.service }}', limit: 1 },
        steps: [
          {
            id: 'mark',
            uses: 'http.request',
            with: {
              method: 'POST',
              url: 'https://monitoring.example.com/api/deployments',
              headers: { Authorization: 'Bearer {{ secrets.MONITORING_TOKEN }}' },
              body: { service: '{{ data.service.name }}', version: '{{ data.deployNumber }}' },
            },
            after: null,
            retry: { attempts: 5, backoff: 'exponential', initialMs: 2000, maxMs: 300_000 },
            timeoutMs: 30_000,
          },
          {
            id: 'smoke',
            uses: 'script',
            with: { run: './scripts/smoke.sh "$1" "$2"', args: ['{{ data.environment }}', '{{ steps.mark.output.status }}'] },
            after: { step: 'mark', channel: 'success' },
            retry: DEFAULT_RETRY,
            timeoutMs: null,
          },
        ],
      },
    });
  });

  it('fills defaults for a minimal document, reading `after: x` as channel success', () => {
    const result = validateReaction(
      { name: 'min', on: { event: 'deploy.*' }, steps: { a: { uses: 'script' }, b: { uses: 'script', after: 'a' } } },
      ctx,
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.reaction).toMatchObject({ description: null, enabled: true, on: { filter: {}, if: null }, concurrency: null });
    expect(result.reaction.steps.map((s) => [s.id, s.with, s.after, s.retry, s.timeoutMs])).toEqual([
      ['a', {}, null, DEFAULT_RETRY, null],
      ['b', {}, { step: 'a', channel: 'success' }, DEFAULT_RETRY, null],
    ]);
  });

  it('turns a scalar filter value into a one-value list and defaults the concurrency limit to 1', () => {
    const result = validateReaction(
      { ...example(), on: { event: 'x', filter: { count: 3, ok: true, gone: null } }, concurrency: { key: 'k' } },
      ctx,
    );
    expect(result.ok && result.reaction.on.filter).toEqual({ count: [3], ok: [true], gone: [null] });
    expect(result.ok && result.reaction.concurrency).toEqual({ key: 'k', limit: 1 });
  });

  it('skips action and secret checks when the context leaves them out', () => {
    const doc = withChange('steps/mark/uses', 'not.registered');
    const mark = (doc.steps as Record<string, { with: Record<string, unknown> }>).mark as { with: Record<string, unknown> };
    mark.with.token = '{{ secrets.UNKNOWN }}';
    expect(problemsOf(doc, {})).toEqual([]);
  });
});

describe('validateReaction: each problem', () => {
  it.each<[string, unknown, string]>([
    ['a missing name', withChange('name', undefined), 'name: required'],
    [
      'an invalid name',
      withChange('name', 'Prod Deploys'),
      'name: invalid name "Prod Deploys"; use 1–100 lowercase letters, digits, "-", "_" or ".", starting with a letter or digit',
    ],
    [
      'a name that is too long',
      withChange('name', 'a'.repeat(101)),
      `name: invalid name "${'a'.repeat(101)}"; use 1–100 lowercase letters, digits, "-", "_" or ".", starting with a letter or digit`,
    ],
    [
      'an unknown top-level key',
      withChange('trigger', {}),
      'trigger: unknown key; a reaction has name, description, enabled, on, concurrency, steps',
    ],
    [
      'an unknown step key',
      withChange('steps/mark/needs', 'x'),
      'steps.mark.needs: unknown key; a step has uses, with, after, retry, timeout',
    ],
    [
      'an unknown key in on',
      withChange('on/events', 'x'),
      'on.events: unknown key; "on" has event, schedule, filter, if, connection, categories, project, environment',
    ],
    ['a missing on.event', withChange('on/event', undefined), 'on.event: required'],
    ['a missing on', withChange('on', undefined), 'on: required; name the event that starts this reaction in on.event'],
    [
      'a bad glob',
      withChange('on/event', 'deploy.[ab]'),
      'on.event: invalid event type or glob "deploy.[ab]"; use dotted letters, digits, "_", "-", with "*" for any run of characters and "?" for one',
    ],
    [
      'a filter value that is an object',
      withChange('on/filter', { service: { name: 'x' } }),
      'on.filter.service: must be a string, number, boolean or null, or a list of them, not an object',
    ],
    [
      'a filter list holding a list',
      withChange('on/filter', { environment: ['a', ['b']] }),
      'on.filter.environment: must be a string, number, boolean or null, or a list of them, not a list',
    ],
    ['an empty filter list', withChange('on/filter', { environment: [] }), 'on.filter.environment: must list at least one value'],
    ['a CEL syntax error', withChange('on/if', 'data.count =='), 'on.if: invalid CEL expression: Unexpected token: EOF (column 14)'],
    ['no steps', withChange('steps', {}), 'steps: a reaction needs at least one step'],
    ['missing steps', withChange('steps', undefined), 'steps: required; a reaction needs at least one step'],
    [
      'a bad step id',
      withChange('steps/Smoke Test', { uses: 'script' }),
      'steps.Smoke Test: invalid step id; use 1–100 lowercase letters, digits, "-", "_" or ".", starting with a letter or digit',
    ],
    ['an unknown action', withChange('steps/mark/uses', 'http.requets'), 'steps.mark.uses: unknown action "http.requets"'],
    ['a missing uses', withChange('steps/mark/uses', undefined), 'steps.mark.uses: required'],
    [
      'after naming a missing step',
      withChange('steps/smoke/after', { step: 'mrak' }),
      'steps.smoke.after.step: no step "mrak" in this reaction',
    ],
    [
      'after (a string) naming a missing step',
      withChange('steps/smoke/after', 'mrak'),
      'steps.smoke.after: no step "mrak" in this reaction',
    ],
    [
      'after.channel the action lacks',
      withChange('steps/smoke/after', { step: 'mark', channel: 'approved' }),
      'steps.smoke.after.channel: action "http.request" has no channel "approved" (it has success, failed)',
    ],
    ['a step after itself', withChange('steps/smoke/after', 'smoke'), 'steps.smoke.after: cycle: smoke after smoke'],
    [
      'a template that does not parse',
      withChange('steps/mark/with/url', 'https://x/{{ data.service'),
      'steps.mark.with.url: output "{{ data.service" not closed (line 1, column 11)',
    ],
    [
      'a template with an unknown filter',
      withChange('steps/mark/with/body', { v: '{{ data.x | shout }}' }),
      'steps.mark.with.body.v: undefined filter: shout (line 1, column 1)',
    ],
    [
      'a bad template in concurrency.key',
      withChange('concurrency', { key: '{{ data.service | nope }}' }),
      'concurrency.key: undefined filter: nope (line 1, column 1)',
    ],
    [
      'an unknown secret',
      withChange('steps/mark/with/headers', { Authorization: 'Bearer {{ secrets.MONITORING_TOKNE }}' }),
      'steps.mark.with.headers.Authorization: unknown secret "MONITORING_TOKNE"',
    ],
    [
      'a secret in concurrency.key',
      withChange('concurrency', { key: '{{ secrets.MONITORING_TOKEN }}' }),
      'concurrency.key: unknown variable "secrets" (templates here can use event, data)',
    ],
    [
      'a computed secret name',
      withChange('steps/mark/with/url', '{{ secrets[data.name] }}'),
      'steps.mark.with.url: read secrets by name: secrets.NAME',
    ],
    [
      'an unknown template variable',
      withChange('steps/mark/with/url', '{{ dta.url }}'),
      'steps.mark.with.url: unknown variable "dta" (templates here can use event, data, steps, secrets, run)',
    ],
    [
      'a bad timeout',
      withChange('steps/mark/timeout', '30 secs'),
      'steps.mark.timeout: invalid duration "30 secs"; use e.g. 500ms, 2s, 5m, 1h, 1d, 1h30m or a number of milliseconds',
    ],
    ['a zero timeout', withChange('steps/mark/timeout', 0), 'steps.mark.timeout: must be longer than 0'],
    [
      'a bad retry.initial',
      withChange('steps/mark/retry', { initial: '2x' }),
      'steps.mark.retry.initial: invalid duration "2x"; use e.g. 500ms, 2s, 5m, 1h, 1d, 1h30m or a number of milliseconds',
    ],
    [
      'a retry.max below initial',
      withChange('steps/mark/retry', { initial: '1m', max: '2s' }),
      'steps.mark.retry.max: must be at least retry.initial',
    ],
    [
      'retry.attempts of 0',
      withChange('steps/mark/retry', { attempts: 0 }),
      'steps.mark.retry.attempts: must be a whole number from 1 to 100, not 0',
    ],
    [
      'retry.attempts of 101',
      withChange('steps/mark/retry', { attempts: 101 }),
      'steps.mark.retry.attempts: must be a whole number from 1 to 100, not 101',
    ],
    [
      'a bad retry.backoff',
      withChange('steps/mark/retry', { backoff: 'linear' }),
      'steps.mark.retry.backoff: must be "exponential" or "fixed", not "linear"',
    ],
    [
      'concurrency.limit of 0',
      withChange('concurrency', { key: 'k', limit: 0 }),
      'concurrency.limit: must be a whole number of at least 1, not 0',
    ],
    ['a missing required setting', withChange('steps/mark/with/url', undefined), 'steps.mark.with.url: required by action "http.request"'],
    [
      'an unknown setting',
      withChange('steps/mark/with/verb', 'POST'),
      'steps.mark.with.verb: action "http.request" has no setting "verb" (it has method, url, headers, body, retries)',
    ],
    ['a literal of the wrong value', withChange('steps/mark/with/method', 'PUT'), 'steps.mark.with.method: must be one of "GET", "POST"'],
    ['a literal of the wrong type', withChange('steps/mark/with/retries', -2), 'steps.mark.with.retries: must be >= 0'],
    [
      'a nested literal of the wrong type',
      withChange('steps/mark/with/headers', { 'X-Obj': { a: 1 } }),
      'steps.mark.with.headers.X-Obj: must be string',
    ],
  ])('reports %s', (_, doc, problem) => {
    expect(problemsOf(doc)).toContain(problem);
  });

  it('reports a cycle through several steps once, with its path', () => {
    const problems = problemsOf({
      name: 'loop',
      on: { event: 'x' },
      steps: {
        start: { uses: 'script' },
        a: { uses: 'script', after: 'c' },
        b: { uses: 'script', after: 'a' },
        c: { uses: 'script', after: { step: 'b' } },
      },
    });
    expect(problems).toEqual(['steps.a.after: cycle: a after c after b after a']);
  });

  it('reports reading a step that has not ended yet, or does not exist', () => {
    const problems = problemsOf({
      name: 'refs',
      on: { event: 'x' },
      steps: {
        a: { uses: 'log', with: { message: '{{ steps.b.output }}' } },
        b: { uses: 'log', with: { message: '{{ steps.nope.output }}' } },
        c: { uses: 'log', after: 'b', with: { message: '{{ steps.b.output.x }} {{ steps.b.status }}' } },
      },
    });
    expect(problems).toEqual([
      'steps.a.with.message: step "b" has not ended when step "a" starts (use "after" to order them)',
      'steps.b.with.message: no step "nope" in this reaction',
      'steps.c.with.message: steps.b has only "output"',
    ]);
  });

  it('checks the channel against the action of the step named in after', () => {
    const doc = { name: 'approve', on: { event: 'x' }, steps: { ask: { uses: 'approval.wait' }, go: { uses: 'script', after: 'ask' } } };
    expect(problemsOf(doc)).toEqual([
      'steps.go.after: action "approval.wait" has no channel "success" (it has approved, rejected, failed)',
    ]);
    expect(problemsOf({ ...doc, steps: { ...doc.steps, go: { uses: 'script', after: { step: 'ask', channel: 'approved' } } } })).toEqual(
      [],
    );
  });

  it('does not type-check values holding templates', () => {
    expect(problemsOf(withChange('steps/mark/with/retries', '{{ data.retries }}'))).toEqual([]);
    expect(problemsOf(withChange('steps/mark/with/retries', '3'))).toEqual([]);
  });

  it("refuses a template in a setting the action takes literally, with the action's advice", () => {
    expect(problemsOf(withChange('steps/smoke/with/run', './smoke.sh {{ data.environment }}'))).toEqual([
      'steps.smoke.with.run: no templates here; use with.env',
    ]);
    expect(problemsOf(withChange('steps/smoke/with/run', '{% if true %}x{% endif %}'))).toEqual([
      'steps.smoke.with.run: no templates here; use with.env',
    ]);
  });

  it('reports several problems together', () => {
    const problems = problemsOf({
      name: 'Bad Name',
      colour: 'red',
      on: { event: 'deploy..x', if: 'data.x ==' },
      concurrency: { key: '{{ data.x | nope }}', limit: 0 },
      steps: {
        mark: { uses: 'http.nope', timeout: 'soon', with: { url: '{{ secrets.MISSING }}' } },
        smoke: { uses: 'script', after: { step: 'mark', channel: 'approved' }, retry: { attempts: 0 } },
      },
    });
    expect(problems).toEqual([
      'colour: unknown key; a reaction has name, description, enabled, on, concurrency, steps',
      'name: invalid name "Bad Name"; use 1–100 lowercase letters, digits, "-", "_" or ".", starting with a letter or digit',
      'on.event: invalid event type or glob "deploy..x"; use dotted letters, digits, "_", "-", with "*" for any run of characters and "?" for one',
      'on.if: invalid CEL expression: Unexpected token: EOF (column 10)',
      'concurrency.key: undefined filter: nope (line 1, column 1)',
      'concurrency.limit: must be a whole number of at least 1, not 0',
      'steps.mark.timeout: invalid duration "soon"; use e.g. 500ms, 2s, 5m, 1h, 1d, 1h30m or a number of milliseconds',
      'steps.smoke.retry.attempts: must be a whole number from 1 to 100, not 0',
      'steps.mark.uses: unknown action "http.nope"',
      'steps.mark.with.url: unknown secret "MISSING"',
    ]);
  });

  it('refuses a document that is not an object', () => {
    expect(problemsOf(['x'])).toEqual(['reaction: must be an object, not a list']);
  });
});

describe('usesAdminOnlyAction', () => {
  it('names the admin-only actions a reaction uses, once each', () => {
    const result = validateReaction(
      {
        name: 'x',
        on: { event: 'x' },
        steps: { a: { uses: 'script' }, b: { uses: 'approval.wait' }, c: { uses: 'script', after: { step: 'b', channel: 'approved' } } },
      },
      ctx,
    );
    if (!result.ok) throw new Error(result.problems.join('\n'));
    expect(usesAdminOnlyAction(result.reaction, actions)).toEqual(['script']);
  });

  it('is empty when no step uses one', () => {
    const result = validateReaction({ name: 'x', on: { event: 'x' }, steps: { a: { uses: 'approval.wait' } } }, ctx);
    if (!result.ok) throw new Error(result.problems.join('\n'));
    expect(usesAdminOnlyAction(result.reaction, actions)).toEqual([]);
  });
});

describe('validateReaction: caps when applying', () => {
  const manySteps = (count: number) => ({
    ...example(),
    concurrency: undefined,
    steps: Object.fromEntries(Array.from({ length: count }, (_, i) => [`s${i}`, { uses: 'log', with: { message: 'x' } }])),
  });

  it('refuses more than 100 steps and a document over 256 KiB', () => {
    expect(problemsOf(manySteps(100), { ...ctx, applying: true })).toEqual([]);
    expect(problemsOf(manySteps(101), { ...ctx, applying: true })).toEqual(['steps: 101 steps; a reaction may have at most 100']);
    // Counted in UTF-8 bytes: 140,000 characters of "é" are 280,000 bytes.
    expect(problemsOf({ ...example(), description: 'é'.repeat(140_000) }, { ...ctx, applying: true })).toEqual([
      expect.stringMatching(/^the document is 280,\d{3} bytes; a reaction document may be at most 262,144 bytes \(256 KiB\)$/),
    ]);
  });

  it('refuses a literal matches() pattern that is not RE2', () => {
    expect(problemsOf(withChange('on/if', "data.v.matches('^(?!main)')"), { ...ctx, applying: true })).toEqual([
      'on.if: invalid CEL expression: invalid RE2 regular expression: invalid or unsupported Perl syntax: `(?!` (column 16)',
    ]);
  });

  it('still loads stored documents that predate the caps', () => {
    expect(problemsOf(manySteps(101), {})).toEqual([]);
    expect(problemsOf(withChange('on/if', "data.v.matches('^(?!main)')"), {})).toEqual([]);
  });
});
