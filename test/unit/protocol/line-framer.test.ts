import { describe, expect, it } from 'vitest';
import { LineFramer } from '../../../src/protocol/line-framer.js';
import { LineParser } from '../../../src/protocol/parser.js';
import { RejectCounter } from '../../../src/protocol/rejects.js';

function framer(maxLine?: number) {
  const keys: string[] = [];
  const noop = () => undefined;
  const rejects = new RejectCounter();
  const parser = new LineParser({ counter: (k) => keys.push(k), timer: noop, gauge: noop, set: noop, kv: noop }, rejects);
  return { f: new LineFramer(parser, maxLine), keys, rejects };
}

describe('LineFramer', () => {
  it('joins lines split across chunks', () => {
    const { f, keys } = framer();
    for (const chunk of ['tc', 'p:1|c\ntcp', ':2|c\nx', 'y:3', '|c\n']) f.push(Buffer.from(chunk));
    expect(keys).toEqual(['tcp', 'tcp', 'xy']);
  });

  it('uses a final line without newline when the stream ends', () => {
    const { f, keys } = framer();
    f.push(Buffer.from('a:1|c\nlast:1|c'));
    expect(keys).toEqual(['a']);
    expect(f.end()).toBe(1);
    expect(keys).toEqual(['a', 'last']);
  });

  it('drops an over-long line up to the next newline and keeps the connection useful', () => {
    const { f, keys, rejects } = framer(16);
    f.push(Buffer.from('a'.repeat(10)));
    f.push(Buffer.from('b'.repeat(10)));
    f.push(Buffer.from('c'.repeat(10) + '\nok:1|c\n'));
    expect(keys).toEqual(['ok']);
    expect(rejects.byReason.get('line_too_long')).toBe(1);
  });
});
