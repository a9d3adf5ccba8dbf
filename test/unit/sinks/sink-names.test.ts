import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { BufferedTcpSender } from '../../../src/sinks/delivery/buffered-tcp-sender.js';
import { SharedSenders } from '../../../src/sinks/delivery/shared-senders.js';
import { defaultConfig } from '../../../src/config/defaults.js';
import { createSink, loadSinks, parseSinkSpecs } from '../../../src/sinks/registry.js';
import { assignSinkNames, splitSinkName, withSinkName } from '../../../src/sinks/sink-names.js';

describe('sink names', () => {
  it('default to the type, numbered per type in order; a given name is kept', () => {
    const sinks = [
      { type: 'graphite', name: null }, { type: 'prometheus', name: null }, { type: 'graphite', name: null },
      { type: 'graphite', name: 'archive' }, { type: 'graphite', name: null },
    ];
    expect(assignSinkNames(sinks)).toEqual(['graphite', 'prometheus', 'graphite_2', 'archive', 'graphite_4']);
  });

  it('refuse two sinks of one name', () => {
    expect(() => assignSinkNames([{ type: 'stdout', name: 'x' }, { type: 'graphite', name: 'x' }])).toThrow(/two sinks are named "x"/);
  });

  it('come off the spec before its parser reads it, the other options kept', () => {
    expect(splitSinkName('graphite://c:2003?prefix=a.&name=main')).toEqual({ spec: 'graphite://c:2003?prefix=a.', name: 'main' });
    expect(splitSinkName('graphite://c:2003?name=main')).toEqual({ spec: 'graphite://c:2003', name: 'main' });
    expect(splitSinkName('stdout?name=console')).toEqual({ spec: 'stdout', name: 'console' });
    expect(splitSinkName('stream?name=arch:gzip > /tmp/a?b')).toEqual({ spec: 'stream:gzip > /tmp/a?b', name: 'arch' });
    // A stream command is all text after its colon: a ?name= in it is the command's.
    expect(splitSinkName('stream:echo ?name=x')).toEqual({ spec: 'stream:echo ?name=x', name: null });
    expect(splitSinkName('stream+binary:echo ?name=x')).toEqual({ spec: 'stream+binary:echo ?name=x', name: null });
    expect(splitSinkName('stream+binary?name=bin:cat ?')).toEqual({ spec: 'stream+binary:cat ?', name: 'bin' });
    expect(splitSinkName('stdout+binary?name=raw')).toEqual({ spec: 'stdout+binary', name: 'raw' });
    expect(splitSinkName('http://h/p?x=1')).toEqual({ spec: 'http://h/p?x=1', name: null });
  });

  it('round-trip through withSinkName', () => {
    for (const spec of ['stdout', 'stdout+binary', 'stream:cat > /dev/null', 'stream+binary:cat ?', 'graphite://c:2003?prefix=a.', 'http://h/p']) {
      const split = splitSinkName(withSinkName(spec, 'n-1'));
      expect(split.name).toBe('n-1');
      expect(split.spec).toBe(spec);
    }
  });

  it('must be one metric path segment', () => {
    expect(() => splitSinkName('stdout?name=a.b')).toThrow(/sink "stdout": sink name "a.b" must be 1 to 64 letters/);
    expect(() => splitSinkName('graphite://c:2003?name=')).toThrow(/must be 1 to 64/);
  });

  it('are what the built sink is called; its address is its destination', async () => {
    const [spec] = parseSinkSpecs(['stream?name=archive:cat > /dev/null']);
    await loadSinks([spec]);
    const tcpSenders = new SharedSenders<BufferedTcpSender>();
    const context = { naming: () => defaultConfig().naming, log: pino({ level: 'silent' }), tcpSenders };
    const sink = createSink(spec, context);
    expect([sink.name, sink.destination]).toEqual(['archive', 'stream:cat > /dev/null']);
    await sink.close();
  });
});
