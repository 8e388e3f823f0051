import { describe, expect, it } from 'vitest';
import { createLineSplitter, createTail, parseOutputLine } from './output-lines.js';

describe('createLineSplitter', () => {
  it('splits on newlines across chunks, drops \\r, keeps UTF-8 split mid-character, flushes the rest', () => {
    const lines: string[] = [];
    const splitter = createLineSplitter((line) => lines.push(line));
    const euro = Buffer.from('€');
    splitter.write(Buffer.from('a\r\nb'));
    splitter.write(Buffer.concat([Buffer.from('c '), euro.subarray(0, 1)]));
    splitter.write(Buffer.concat([euro.subarray(1), Buffer.from('\nlast')]));
    splitter.end();
    expect(lines).toEqual(['a', 'bc €', 'last']);
  });

  it('cuts a line that never ends at the limit', () => {
    const lines: string[] = [];
    const splitter = createLineSplitter((line) => lines.push(line), 4);
    splitter.write(Buffer.from('0123456789'));
    splitter.end();
    expect(lines).toEqual(['0123', '4567', '89']);
  });
});

describe('createTail', () => {
  it('keeps the last lines within the limit', () => {
    const tail = createTail(8);
    for (const line of ['first', 'second', 'x']) tail.add(line);
    expect(tail.text()).toBe('second\nx');
    tail.add('a very long line');
    expect(tail.text()).toBe('ong line');
  });
});

describe('parseOutputLine', () => {
  it('reads ::output name=value, value may hold "="', () => {
    expect(parseOutputLine('::output url=https://x/?a=b')).toEqual(['url', 'https://x/?a=b']);
    expect(parseOutputLine('::output 1bad=x')).toBeUndefined();
    expect(parseOutputLine('echo ::output a=b')).toBeUndefined();
  });
});
