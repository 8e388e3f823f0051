import { describe, expect, it } from 'vitest';
import { isAdf } from './stand-in.test-support.js';
import { toAdf } from './adf.js';

describe('toAdf', () => {
  it('makes one paragraph per block of text, hard breaks for single line breaks', () => {
    expect(toAdf('Run 88 failed.\r\nAt step migrate.\n\n  \nRolled back.\n')).toEqual({
      type: 'doc',
      version: 1,
      content: [
        {
          type: 'paragraph',
          content: [{ type: 'text', text: 'Run 88 failed.' }, { type: 'hardBreak' }, { type: 'text', text: 'At step migrate.' }],
        },
        { type: 'paragraph', content: [{ type: 'text', text: 'Rolled back.' }] },
      ],
    });
  });

  it("turns URLs into links, leaving the sentence's punctuation outside", () => {
    expect(toAdf('See https://ci.example/run/88.').content[0]!.content).toEqual([
      { type: 'text', text: 'See ' },
      { type: 'text', text: 'https://ci.example/run/88', marks: [{ type: 'link', attrs: { href: 'https://ci.example/run/88' } }] },
      { type: 'text', text: '.' },
    ]);
  });

  it('makes no empty text nodes, which Jira refuses', () => {
    for (const text of ['', '\n\n', 'https://a.example/x', 'a\nhttps://a.example/x\nb', '\n\nx\n\n\n\ny\n']) {
      expect(isAdf(toAdf(text)), JSON.stringify(text)).toBe(true);
    }
    expect(toAdf('  \n\n ').content).toEqual([]);
  });
});
