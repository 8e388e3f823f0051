import { describe, expect, it } from 'vitest';
import { maskTexts } from './redact.js';
import { derivedTexts, placeholderSecrets, secretPlaceholder } from './secret-placeholders.js';
import { renderValue } from './templates.js';

const scope = (secrets: Record<string, string>) => ({
  event: {},
  data: {},
  steps: {},
  secrets,
  run: { id: 'r', reaction: 'x', version: 1 },
});

describe('secret placeholders', () => {
  it('renders filters over the placeholder, never over a value', () => {
    const shown = renderValue(
      { auth: 'Basic {{ secrets.KEY | base64_encode }}', up: '{{ secrets.KEY | upcase }}' },
      scope(placeholderSecrets(['KEY'])),
    );
    expect(shown).toEqual({ auth: `Basic ${Buffer.from('«secret:KEY»').toString('base64')}`, up: '«SECRET:KEY»' });
    expect(secretPlaceholder('KEY')).toBe('«secret:KEY»');
  });

  it('masks every leaf derived from a value, its differing middle and their JSON forms', () => {
    const template = {
      auth: 'Basic {{ secrets.KEY | base64_encode }}',
      note: 'same for both',
      quoted: '{{ secrets.KEY | prepend: "\\"" }}',
    };
    const real = renderValue(template, scope({ KEY: 'hunter2-secret' }));
    const shown = renderValue(template, scope(placeholderSecrets(['KEY'])));
    const masks = derivedTexts(real, shown);
    const base64 = Buffer.from('hunter2-secret').toString('base64');
    const echoed = { header: `Basic ${base64}`, alone: base64, json: JSON.stringify(real), note: 'same for both' };
    const redacted = JSON.stringify(maskTexts(echoed, masks));
    expect(redacted).not.toContain(base64);
    expect(redacted).not.toContain('hunter2');
    expect(redacted).toContain('same for both');
    expect(masks.get(`Basic ${base64}`)).toBe((shown as { auth: string }).auth);
  });
});
