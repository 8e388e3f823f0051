import { describe, expect, it } from 'vitest';
import { parseReactionText } from './document.js';

describe('parseReactionText', () => {
  it('reads a JSON object', () => {
    expect(parseReactionText('{"name": "a", "on": {"event": "x"}}')).toEqual({ ok: true, documents: [{ name: 'a', on: { event: 'x' } }] });
  });

  it('reads a JSON array of objects as several documents', () => {
    expect(parseReactionText('[{"name": "a"}, {"name": "b"}]')).toEqual({ ok: true, documents: [{ name: 'a' }, { name: 'b' }] });
  });

  it('reads YAML, keeping `on` a key (YAML 1.2) and several documents', () => {
    const text = 'name: a\non:\n  event: deploy.recorded\n---\nname: b\non: {event: x}\n---\n';
    expect(parseReactionText(text)).toEqual({
      ok: true,
      documents: [
        { name: 'a', on: { event: 'deploy.recorded' } },
        { name: 'b', on: { event: 'x' } },
      ],
    });
  });

  it('reads YAML flow style that starts like JSON', () => {
    expect(parseReactionText('{name: a, enabled: false}')).toEqual({ ok: true, documents: [{ name: 'a', enabled: false }] });
  });

  it('reports YAML syntax errors with line and column', () => {
    const parsed = parseReactionText('name: a\nsteps:\n  x: [1\n');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problems[0]).toMatch(/^line \d+, column \d+: /);
  });

  it('reports a duplicate key with its line', () => {
    const parsed = parseReactionText('name: a\nname: b\n');
    expect(parsed).toEqual({ ok: false, problems: [expect.stringMatching(/^line 2, column 1: .*unique/i)] });
  });

  it('reports broken JSON with its line', () => {
    const parsed = parseReactionText('{\n  "name": "a",\n  "on": {"event": "x"\n}');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problems.join('\n')).toMatch(/^line \d+, column \d+: /);
  });

  it('refuses documents that are not objects, and empty text', () => {
    expect(parseReactionText('- 1\n- name: a\n')).toEqual({
      ok: false,
      problems: ['document 1: must be an object (a reaction), not a number'],
    });
    expect(parseReactionText('just text')).toEqual({ ok: false, problems: ['document 1: must be an object (a reaction), not a string'] });
    expect(parseReactionText('# nothing\n')).toEqual({ ok: false, problems: ['the text holds no reaction document'] });
  });
});

describe('parseReactionText: limits', () => {
  it('refuses text over 256 KiB unread', () => {
    const text = `name: a\ndescription: ${'x'.repeat(256 * 1024)}\n`;
    expect(parseReactionText(text)).toEqual({
      ok: false,
      problems: [`the document is ${text.length.toLocaleString('en')} bytes; a reaction document may be at most 262,144 bytes (256 KiB)`],
    });
  });

  it('refuses aliases that expand exponentially', () => {
    let text = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i <= 6; i++)
      text += `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(', ')}]\n`;
    expect(parseReactionText(`${text}name: bomb\n`)).toEqual({
      ok: false,
      problems: ['Excessive alias count indicates a resource exhaustion attack'],
    });
  });

  it('refuses YAML and JSON nested more than 64 levels, without building them', () => {
    const tooDeep = { ok: false, problems: ['the document is nested more than 64 levels deep'] };
    // Flow collections cost one byte a level; block sequences two; block maps an indentation.
    const blockMaps = Array.from({ length: 70 }, (_, i) => `${' '.repeat(i)}k:`).join('\n');
    for (const text of ['['.repeat(10_000), `steps: ${'{a: '.repeat(3000)}`, `- ${'- '.repeat(3000)}x`, blockMaps]) {
      expect(parseReactionText(text), text.slice(0, 20)).toEqual(tooDeep);
    }
    expect(parseReactionText(`{"steps":${'['.repeat(3000)}${']'.repeat(3000)}}`)).toEqual({
      ok: false,
      problems: ['the document is nested more than 64 levels deep'],
    });
  });

  it('reads YAML nested 64 levels deep', () => {
    const parsed = parseReactionText(`name: a\nsteps: ${'['.repeat(63)}${']'.repeat(63)}`);
    expect(parsed).toEqual({ ok: true, documents: [{ name: 'a', steps: expect.any(Array) }] });
  });
});
