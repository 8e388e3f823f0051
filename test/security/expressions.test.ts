import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app.js';
import { seedPayload, startTestApp } from '../support/app.js';
import { DIALECTS } from '../support/databases.js';
import type { EngineTestApp } from '../support/runtime.js';
import { startEngineApp } from '../support/runtime.js';

/**
 * Attacks on the expressions and templates of reactions: each would freeze or exhaust the server
 * if expressions backtracked or templates ran unbounded. A test that returns at all has shown
 * most of what it is for: with JavaScript's backtracking RegExp, `^(a+)+$` over 10,000
 * characters followed by one that does not match would not finish in the lifetime of the machine.
 */

/** Ten thousand `a`s and a `!`: `^(a+)+$` fails on it only after trying every split of the `a`s. */
const EVIL_INPUT = `${'a'.repeat(10_000)}!`;
const BACKTRACKING = "data.description.matches('^(a+)+$')";

type DryRun = { matched: boolean; reason: string | null; steps: Array<{ id: string; input: unknown; error: string | null }> };
type Validated = { valid: boolean; problems: string[]; dryRun: DryRun | null };

/** The code and problems of a refused request. */
function refusalOf(res: { json: <T>() => T }): { code: string; problems: string[] } {
  const { error } = res.json<{ error: { code: string; details?: { problems?: string[] } } }>();
  return { code: error.code, problems: error.details?.problems ?? [] };
}

function reaction(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    on: { event: 'deploy.recorded' },
    steps: { notify: { uses: 'http.request', with: { url: 'https://example.com/hook' } } },
    ...extra,
  };
}

/** Liquid looping `times` times over one `chars`-character line. */
function loop(times: number, chars: number): string {
  return `{% for i in (1..${times}) %}${'x'.repeat(chars)}{% endfor %}`;
}

/** A list literal of 30 numbers, mapped over itself five levels deep: 24 million iterations. */
function nestedMaps(): string {
  const list = `[${Array.from({ length: 30 }, (_, i) => i).join(', ')}]`;
  return `${list}.map(a, ${list}.map(b, ${list}.map(c, ${list}.map(d, ${list}.all(e, e >= 0))))).size() > 0`;
}

describe.each(DIALECTS)('expression and template attacks on %s', (dialect) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(dialect);
  });
  afterAll(async () => {
    await t.close();
  });

  const validate = async (payload: Record<string, unknown>): Promise<Validated> => {
    const res = await t.api({ method: 'POST', url: '/api/v1/reactions/validate', role: 'read', payload });
    expect(res.statusCode).toBe(200);
    return res.json<Validated>();
  };

  it('a read token dry-running a backtracking matches() on a 10,000-character input gets its answer', async () => {
    const document = reaction('redos-dry-run', { on: { event: 'deploy.recorded', if: BACKTRACKING } });
    const refused = await validate({ document, event: { type: 'deploy.recorded', data: { description: EVIL_INPUT } } });
    expect(refused.valid).toBe(true);
    expect(refused.dryRun).toMatchObject({ matched: false, reason: `the condition is false: ${BACKTRACKING}` });
    const accepted = await validate({ document, event: { type: 'deploy.recorded', data: { description: 'a'.repeat(10_000) } } });
    expect(accepted.dryRun).toMatchObject({ matched: true, reason: null });
  });

  it('a read token testing a stored reaction with a backtracking filter gets its answer', async () => {
    const put = await t.api({
      method: 'PUT',
      url: '/api/v1/reactions/redos-stored-test',
      role: 'write',
      payload: reaction('redos-stored-test', { on: { event: 'deploy.recorded', if: BACKTRACKING } }),
    });
    expect(put.statusCode).toBe(201);
    const res = await t.api({
      method: 'POST',
      url: '/api/v1/reactions/redos-stored-test/test',
      role: 'read',
      payload: { event: { type: 'deploy.recorded', data: { description: EVIL_INPUT } } },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json<DryRun>()).toMatchObject({ matched: false });
  });

  it('a stored reaction with a backtracking filter does not stall the ingest of a deploy crafted against it', async () => {
    for (const [name, condition] of [
      ['redos-ingest', BACKTRACKING],
      ['redos-ingest-loop', nestedMaps()],
      ['redos-ingest-ok', "data.description.matches('^a+!$')"],
    ] as const) {
      const put = await t.api({
        method: 'PUT',
        url: `/api/v1/reactions/${name}`,
        role: 'write',
        payload: reaction(name, { on: { event: 'deploy.recorded', if: condition } }),
      });
      expect(put.statusCode).toBe(201);
    }
    const path = await t.endpointPath();
    const ingest = await t.app.inject({
      method: 'POST',
      url: path,
      payload: seedPayload({ dedup_id: 'redos-1', description: EVIL_INPUT }),
    });
    expect(ingest.statusCode).toBe(202);
    const runsOf = async (name: string) =>
      (await t.api({ method: 'GET', url: `/api/v1/runs?reaction=${name}` })).json<{ items: unknown[] }>().items;
    // The event was dispatched to every reaction: the evil ones did not match, the plain one did.
    expect(await runsOf('redos-ingest')).toHaveLength(0);
    expect(await runsOf('redos-ingest-loop')).toHaveLength(0);
    expect(await runsOf('redos-ingest-ok')).toHaveLength(1);
  });

  it('a matches() pattern RE2 cannot run (backreference, lookahead) is refused when applied, not false at every event', async () => {
    for (const pattern of ['(a)\\\\1', '^(?=admin)']) {
      const res = await t.api({
        method: 'PUT',
        url: '/api/v1/reactions/perl-pattern',
        role: 'write',
        payload: reaction('perl-pattern', { on: { event: 'deploy.recorded', if: `data.description.matches('${pattern}')` } }),
      });
      expect(res.statusCode).toBe(400);
      expect(refusalOf(res).code).toBe('reaction.invalid');
      expect(refusalOf(res).problems[0]).toMatch(/^on\.if: invalid CEL expression: invalid RE2 regular expression: .+ \(column 26\)$/);
    }
  });

  it('a CEL condition looping over nested lists is cut short with a clear reason', async () => {
    const document = reaction('cel-loop', { on: { event: 'deploy.recorded', if: nestedMaps() } });
    const result = await validate({ document, event: { type: 'deploy.recorded', data: {} } });
    expect(result.dryRun?.matched).toBe(false);
    expect(result.dryRun?.reason).toBe('the condition was stopped: the expression took more than 100,000 evaluation steps');
  });

  it('a CEL condition joining a large field a thousand times is cut before it builds the text', async () => {
    const thousand = `[${Array.from({ length: 1000 }, (_, i) => i).join(', ')}]`;
    const document = reaction('cel-join', {
      on: { event: 'deploy.recorded', if: `${thousand}.map(i, data.description).join().size() > 0` },
    });
    const result = await validate({ document, event: { type: 'deploy.recorded', data: { description: 'x'.repeat(400_000) } } });
    expect(result.dryRun?.reason).toBe('the condition was stopped: the expression built a text longer than 1,048,576 characters');
  });

  it('a template rendering megabytes is cut with a clear message', async () => {
    const document = reaction('big-output', {
      steps: { notify: { uses: 'http.request', with: { url: 'https://example.com/hook', body: loop(100_000, 100) } } },
    });
    const result = await validate({ document, event: { type: 'deploy.recorded', data: {} } });
    expect(result.dryRun?.steps[0]).toMatchObject({ input: null, error: 'body: templates rendered more than 1 MiB in one dry run' });
  });

  it('many steps each under a per-render limit are cut by one budget for the whole dry run', async () => {
    // 40 steps of 100 KiB each: every one alone is small, together they are 4 MiB.
    const steps = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [
        `s${i}`,
        { uses: 'http.request', with: { url: 'https://example.com/hook', body: loop(1024, 100) } },
      ]),
    );
    const result = await validate({ document: reaction('many-steps-output', { steps }), event: { type: 'deploy.recorded', data: {} } });
    const errors = result.dryRun!.steps.map((s) => s.error);
    expect(errors.slice(0, 10)).toEqual(Array(10).fill(null));
    expect(errors.at(-1)).toBe('body: templates rendered more than 1 MiB in one dry run');
  });

  it('a template doubling a captured variable is cut before it exhausts memory', async () => {
    const body = '{% assign x = "ab" %}{% for i in (1..64) %}{% capture x %}{{ x }}{{ x }}{% endcapture %}{% endfor %}{{ x | size }}';
    const document = reaction('capture-bomb', {
      steps: { notify: { uses: 'http.request', with: { url: 'https://example.com/hook', body } } },
    });
    const result = await validate({ document, event: { type: 'deploy.recorded', data: {} } });
    expect(result.dryRun?.steps[0]?.error).toBe('body: templates allocated more than 10,000,000 units in one dry run');
  });

  it('a reaction of more than 100 steps is refused', async () => {
    const steps = Object.fromEntries(
      Array.from({ length: 101 }, (_, i) => [`s${i}`, { uses: 'http.request', with: { url: 'https://example.com/hook' } }]),
    );
    const res = await t.api({
      method: 'PUT',
      url: '/api/v1/reactions/too-many-steps',
      role: 'write',
      payload: reaction('too-many-steps', { steps }),
    });
    expect(res.statusCode).toBe(400);
    expect(refusalOf(res)).toEqual({ code: 'reaction.invalid', problems: ['steps: 101 steps; a reaction may have at most 100'] });
  });

  it('a reaction document over 256 KiB is refused, as JSON and as YAML', async () => {
    const document = reaction('too-large', { description: 'x'.repeat(300 * 1024) });
    const put = await t.api({ method: 'PUT', url: '/api/v1/reactions/too-large', role: 'write', payload: document });
    expect(put.statusCode).toBe(400);
    expect(refusalOf(put).code).toBe('reaction.invalid');
    expect(refusalOf(put).problems[0]).toMatch(
      /^the document is [\d,]+ bytes; a reaction document may be at most 262,144 bytes \(256 KiB\)$/,
    );
    const yaml = `name: too-large\ndescription: ${'x'.repeat(300 * 1024)}\non: {event: deploy.recorded}\nsteps: {s: {uses: http.request, with: {url: "https://example.com"}}}\n`;
    const putYaml = await t.api({
      method: 'PUT',
      url: '/api/v1/reactions/too-large',
      role: 'write',
      headers: { 'content-type': 'application/yaml' },
      payload: yaml,
    });
    expect(putYaml.statusCode).toBe(400);
    expect(refusalOf(putYaml).code).toBe('reaction.invalid');
    expect(refusalOf(putYaml).problems[0]).toMatch(/at most 262,144 bytes/);
    const checked = await validate({ yaml });
    expect(checked.valid).toBe(false);
    expect(checked.problems[0]).toMatch(/at most 262,144 bytes/);
  });

  it('a YAML alias bomb is refused without being expanded', async () => {
    // Ten levels of ten aliases each: 10^10 strings once expanded, from under 500 bytes of text.
    let yaml = 'l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
    for (let i = 1; i <= 9; i++)
      yaml += `l${i}: &l${i} [${Array(10)
        .fill(`*l${i - 1}`)
        .join(', ')}]\n`;
    yaml +=
      'name: alias-bomb\non: {event: deploy.recorded}\nsteps: {s: {uses: http.request, with: {url: "https://example.com", body: *l9}}}\n';
    const res = await t.api({
      method: 'PUT',
      url: '/api/v1/reactions/alias-bomb',
      role: 'write',
      headers: { 'content-type': 'application/yaml' },
      payload: yaml,
    });
    expect(res.statusCode).toBe(400);
    expect(refusalOf(res)).toEqual({
      code: 'reaction.invalid',
      problems: ['Excessive alias count indicates a resource exhaustion attack'],
    });
  });
});

describe.each(DIALECTS)('a stored reaction whose step renders megabytes, on %s', (dialect) => {
  let t: EngineTestApp;

  beforeAll(async () => {
    t = await startEngineApp(dialect);
  });
  afterAll(async () => {
    await t.close();
  });

  it('a step rendering megabytes from a small deploy fails with a clear message, the server carries on', async () => {
    // No request is ever sent: the step fails while rendering, before http.request runs.
    await t.applyReaction({
      name: 'megabytes',
      on: { event: 'deploy.recorded', filter: { serviceAlias: 'megabytes-svc' } },
      steps: {
        call: {
          uses: 'http.request',
          with: {
            method: 'POST',
            url: 'https://example.com/hook',
            body: { text: `{% for i in (1..50000) %}{{ data.description }}{% endfor %}` },
          },
          retry: { attempts: 1 },
        },
      },
    });
    await t.ingest({ service: 'megabytes-svc', dedup_id: 'megabytes-1', description: 'x'.repeat(100) });
    const run = await t.runReaching({ reaction: 'megabytes' }, ['succeeded', 'failed']);
    expect(run.status).toBe('failed');
    expect(run.steps[0]).toMatchObject({
      status: 'failed',
      error: "could not render the step's input: body.text: templates rendered more than 1 MiB in one step",
    });
    expect((await t.api({ method: 'GET', url: '/api/v1/reactions' })).statusCode).toBe(200);
  });
});
