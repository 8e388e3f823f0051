import { describe, expect, it } from 'vitest';
import type { TemplateScope } from './templates.js';
import { redactSecrets } from './redact.js';
import { TemplateError, referencedSecrets, renderString, renderValue, templateProblems, templateReferences } from './templates.js';

const scope: TemplateScope = {
  event: { id: 'evt_1', type: 'deploy.recorded' },
  data: {
    service: { name: 'cart' },
    deployNumber: 234,
    environment: 'production',
    description: 'Fix "quotes"\nand lines',
    tags: ['a', 'b'],
  },
  steps: { mark: { output: { status: 201, body: { id: 'm-1' } } } },
  secrets: { MONITORING_TOKEN: 's3cr3t-token' },
  run: { id: 'run_1', reaction: 'prod-deploys', version: 3 },
};

describe('renderValue', () => {
  it('renders nested objects and arrays leaf by leaf, leaving other scalars and keys alone', () => {
    const rendered = renderValue(
      {
        method: 'POST',
        headers: { Authorization: 'Bearer {{ secrets.MONITORING_TOKEN }}' },
        body: { service: '{{ data.service.name }}', version: '{{ data.deployNumber }}', list: ['{{ run.id }}', 5, true, null] },
        '{{ key }}': 'x',
        retries: 2,
      },
      scope,
    );
    expect(rendered).toEqual({
      method: 'POST',
      headers: { Authorization: 'Bearer s3cr3t-token' },
      body: { service: 'cart', version: '234', list: ['run_1', 5, true, null] },
      '{{ key }}': 'x',
      retries: 2,
    });
  });

  it('gives later steps the output of earlier ones', () => {
    expect(renderValue({ id: '{{ steps.mark.output.body.id }}', status: '{{ steps.mark.output.status }}' }, scope)).toEqual({
      id: 'm-1',
      status: '201',
    });
  });

  it('keeps the json filter, escaping a value into JSON', () => {
    const body = renderString('{"text": {{ data.description | json }}, "tags": {{ data.tags | json }}}', scope);
    expect(JSON.parse(body)).toEqual({ text: 'Fix "quotes"\nand lines', tags: ['a', 'b'] });
  });

  it('supports tags, and default for optional fields', () => {
    expect(renderString('{% if data.environment == "production" %}prod{% else %}other{% endif %}', scope)).toBe('prod');
    expect(renderString('{{ data.missing | default: "n/a" }}', scope)).toBe('n/a');
  });

  it('throws a TemplateError naming the undefined variable and the leaf', () => {
    let error: unknown;
    try {
      renderValue({ body: { service: '{{ data.service.nmae }}' } }, scope);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(TemplateError);
    expect((error as TemplateError).variable).toBe('data.service.nmae');
    expect((error as TemplateError).path).toBe('body.service');
    expect((error as TemplateError).message).toBe('body.service: undefined variable data.service.nmae (line 1, column 4)');
  });

  it('throws a TemplateError for a template that does not parse', () => {
    expect(() => renderString('{{ data.x', scope)).toThrow(TemplateError);
    expect(() => renderString('{{ data.x | nosuchfilter }}', scope)).toThrow(/undefined filter: nosuchfilter/);
  });

  it('returns strings without markup as they are', () => {
    const text = 'no markup: { single } braces and 100% {plain}';
    expect(renderString(text, scope)).toBe(text);
  });

  it('does not read files through include or render', () => {
    expect(() => renderString('{% include "package.json" %}', scope)).toThrow(TemplateError);
    expect(() => renderString('{% render "/etc/passwd" %}', scope)).toThrow(TemplateError);
  });

  it('does not expose prototypes', () => {
    expect(() => renderString('{{ data.constructor }}', scope)).toThrow(/undefined variable/);
  });

  it('stops runaway loops quickly', () => {
    const started = performance.now();
    expect(() => renderString('{% for i in (1..100000000) %}{{ i }}{% endfor %}', scope)).toThrow(
      /templates allocated more than 10,000,000 units in one step/,
    );
    expect(() => renderString('{% for i in (1..100000) %}twenty characters...{% endfor %}', scope)).toThrow(
      /templates rendered more than 1 MiB in one step/,
    );
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('does not change the scope it is given', () => {
    const mine = structuredClone(scope);
    renderString('{% assign x = 1 %}{{ x }}', mine);
    expect(mine).toEqual(scope);
  });

  it('renders thousands of templates per second', () => {
    const config = {
      url: 'https://x/{{ data.service.name }}',
      body: { v: '{{ data.deployNumber }}', e: '{{ data.environment | upcase }}' },
      plain: 'x',
    };
    const started = performance.now();
    for (let i = 0; i < 5000; i++) renderValue(config, scope);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('templateProblems', () => {
  it('reports every leaf that does not parse, with its path', () => {
    const problems = templateProblems(
      { url: '{{ data.x', ok: '{{ data.y }}', list: ['fine', '{{ data.z | bogus }}'], n: 3 },
      'steps.a.with',
    );
    expect(problems).toEqual([
      'steps.a.with.url: output "{{ data.x" not closed (line 1, column 1)',
      'steps.a.with.list[1]: undefined filter: bogus (line 1, column 1)',
    ]);
  });

  it('reports unknown tags and a lone string at its own path', () => {
    expect(templateProblems('{% bogus %}', 'concurrency.key')).toEqual(['concurrency.key: tag "bogus" not found (line 1, column 1)']);
    expect(templateProblems({ a: '{{ data.a }}' }, 'with')).toEqual([]);
  });
});

describe('referencedSecrets', () => {
  it('finds secrets.NAME and secrets["NAME"] in any leaf, each once', () => {
    const value = {
      headers: { Authorization: 'Bearer {{ secrets.MONITORING_TOKEN }}' },
      body: ['{{ secrets["OTHER"] }}', "{{ secrets['THIRD'] | upcase }}", '{% if secrets.FOURTH %}y{% endif %}'],
      again: '{{ secrets.MONITORING_TOKEN }}',
      plain: 'secrets.NOT_A_TEMPLATE',
      broken: '{{ secrets.BROKEN',
    };
    expect(referencedSecrets(value)).toEqual(['MONITORING_TOKEN', 'OTHER', 'THIRD', 'FOURTH']);
    // Asked again (every step asks), the names come from beside the parse, the same.
    expect(referencedSecrets(value)).toEqual(['MONITORING_TOKEN', 'OTHER', 'THIRD', 'FOURTH']);
  });

  it('ignores other roots and computed names', () => {
    expect(referencedSecrets({ a: '{{ data.secrets.X }} {{ secrets[data.name] }}' })).toEqual([]);
  });
});

describe('templateReferences', () => {
  it('lists scope variables, not ones the template defines', () => {
    const refs = templateReferences('{% assign x = data.a %}{{ x }}{% for s in data.list %}{{ s }}{% endfor %}{{ steps[data.k].output }}');
    expect(refs).toHaveLength(4);
    expect(refs).toEqual(
      expect.arrayContaining([
        ['data', 'a'],
        ['data', 'list'],
        ['steps', null, 'output'],
        ['data', 'k'],
      ]),
    );
  });
});

describe('redactSecrets', () => {
  it('masks every occurrence in every string of a deep copy, keys included', () => {
    const input = { log: 'token=abcd1234 and again abcd1234', nested: { list: ['x abcd1234 y', 42, null] }, abcd1234: 'key' };
    const out = redactSecrets(input, ['abcd1234']);
    expect(out).toEqual({ log: 'token=*** and again ***', nested: { list: ['x *** y', 42, null] }, '***': 'key' });
    expect(input.log).toBe('token=abcd1234 and again abcd1234');
    expect(out.nested).not.toBe(input.nested);
  });

  it('masks the longest secret first so none leaks a tail', () => {
    expect(redactSecrets('value: password123', ['password', 'password123'])).toBe('value: ***');
  });

  it('leaves secrets shorter than 4 characters alone', () => {
    expect(redactSecrets('abc abcd', ['abc', 'abcd'])).toBe('abc ***');
  });

  it('treats secret values literally, not as patterns', () => {
    expect(redactSecrets('a.b*c+d and axbbc', ['a.b*c+d'])).toBe('*** and axbbc');
  });

  it('masks again with a different list', () => {
    expect(redactSecrets('one1 two2', ['one1'])).toBe('*** two2');
    expect(redactSecrets('one1 two2', ['two2'])).toBe('one1 ***');
    expect(redactSecrets('one1 two2', [])).toBe('one1 two2');
  });
});
