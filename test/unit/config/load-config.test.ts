import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/config-error.js';
import { loadConfigFile } from '../../../src/config/load-config.js';
import { sinkSpecs } from '../../../src/server.js';
import { tempFiles } from '../../helpers/temp-files.js';

const { dir, file } = tempFiles('statsite-ts-config-');

function errorOf(path: string): ConfigError {
  try {
    loadConfigFile(path);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfigFile', () => {
  it("reads statsite's options from TOML with statsite's defaults", () => {
    const c = loadConfigFile(file('a.toml', '[statsite]\nflush_interval = 3\nglobal_prefix = "pre."\nquantiles = [0.9]\n'));
    expect(c.naming.flushInterval).toBe(3);
    expect(c.naming.globalPrefix).toBe('pre.');
    expect(c.naming.quantiles).toEqual([0.9]);
    expect(c.bindAddress).toBe('::');
    expect([c.tcpPort, c.udpPort]).toEqual([8125, 8125]);
  });

  it('takes a file of another name (statsite takes any) as TOML when it parses as TOML, else as INI', () => {
    const ini = loadConfigFile(file('statsite-conf', '[statsite]\nport = 9125\nbind_address = 127.0.0.1\nstream_cmd = cat >> /tmp/out\n'));
    const seen = [ini.tcpPort, ini.bindAddress, ini.sinks, ini.unusedSampleRate];
    expect(seen).toEqual([9125, '127.0.0.1', ['stream:cat >> /tmp/out'], 'reject']);
    const toml = loadConfigFile(file('tmpconfig', '[statsite]\nport = 9126\nbind_address = "127.0.0.1"\n'));
    expect([toml.tcpPort, toml.bindAddress, toml.unusedSampleRate]).toEqual([9126, '127.0.0.1', 'ignore']);
    // Neither: the TOML reason.
    expect(errorOf(file('broken', 'port = = 1\n[x')).message).toMatch(/broken:1: /);
    // An explicit .toml is TOML only.
    expect(errorOf(file('strict.toml', '[statsite]\nbind_address = 127.0.0.1\n')).message).toMatch(/strict\.toml/);
  });

  it('reads a statsite INI file as-is, with the same meaning as its TOML twin', () => {
    const ini = loadConfigFile(file('s.ini', [
      '[statsite]', 'port = 9000', 'udp_port = 0', 'timers_include = median, upper , lower', 'quantiles = 0.25, 0.5,0.999',
      'extended_counters = yes', 'stream_cmd = cat > /dev/null', '',
      '[histogram_api]', 'prefix = api', 'min = 0', 'max = 100', 'width = 25',
      '[histogram_default]', 'prefix = ', 'min = 0', 'max = 10', 'width = 5',
    ].join('\n')));
    expect([ini.tcpPort, ini.udpPort]).toEqual([9000, 0]);
    expect([...ini.naming.timersInclude]).toEqual(['median', 'upper', 'lower']);
    expect(ini.naming.quantiles).toEqual([0.25, 0.5, 0.999]);
    expect(ini.naming.extendedCounters).toBe(true);
    expect(ini.sinks).toEqual(['stream:cat > /dev/null']);
    expect(ini.histograms).toEqual([
      { prefix: 'api', min: 0, max: 100, width: 25 },
      { prefix: '', min: 0, max: 10, width: 5 },
    ]);
  });

  it('ignores sample rates on gauges, sets and kv by default, and rejects them for a statsite INI file', () => {
    expect(loadConfigFile(file('r.toml', '[statsite]\nport = 1\n')).unusedSampleRate).toBe('ignore');
    expect(loadConfigFile(file('r.ini', '[statsite]\nport = 1\n')).unusedSampleRate).toBe('reject');
    expect(loadConfigFile(file('r2.toml', '[protocol]\nunused_sample_rate = "reject"\n')).unusedSampleRate).toBe('reject');
    const e = errorOf(file('r3.toml', '[protocol]\nunused_sample_rate = "drop"\n'));
    expect([e.key, e.reason]).toEqual(['protocol.unused_sample_rate', 'must be "ignore" or "reject", got "drop"']);
  });

  it('names the file, key and reason of a bad option', () => {
    const e = errorOf(file('b.toml', '[statsite]\nflush_interval = "soon"\n'));
    expect(e.message).toContain('b.toml');
    expect(e.key).toBe('statsite.flush_interval');
    expect(e.reason).toMatch(/number/);
  });

  it('gives the line for INI files', () => {
    const e = errorOf(file('c.ini', '[statsite]\nport = 8125\ntimer_eps = 0.7\n'));
    expect(e.line).toBe(3);
    expect(e.message).toMatch(/c\.ini:3: statsite\.timer_eps: must be greater than 0 and less than 0\.5/);
  });

  it('rejects unknown keys and tables, bad ranges and bad histograms', () => {
    expect(errorOf(file('d.toml', '[statsite]\nflush_intervall = 1\n')).reason).toMatch(/unknown option/);
    expect(errorOf(file('e.toml', '[nonsense]\na = 1\n')).reason).toMatch(/unknown table/);
    expect(errorOf(file('f.toml', '[statsite]\nquantiles = [0.5, 1.5]\n')).reason).toMatch(/between 0 and 1/);
    expect(errorOf(file('g.toml', '[statsite]\nport = 70000\n')).reason).toMatch(/between 0 and 65535/);
    expect(errorOf(file('h.toml', '[histogram_x]\nprefix = "x"\nmin = 5\nmax = 1\nwidth = 1\n')).reason).toMatch(/greater than min/);
    expect(errorOf(file('i.toml', '[histogram_x]\nprefix = "x"\nmin = 0\nmax = 10000\nwidth = 1\n')).reason).toMatch(/at most 1024/);
    expect(errorOf(file('j.toml', '[histogram_x]\nprefix = "x"\n')).reason).toMatch(/missing/);
    expect(errorOf(file('k.toml', '[statsite\n')).line).toBe(1);
    expect(errorOf(join(dir, 'missing.toml')).reason).toMatch(/cannot read: ENOENT/);
  });

  it('reads [service] state_dir, and refuses one that cannot be created', () => {
    const stateDir = join(dir, 'state', 'new');
    expect(loadConfigFile(file('st.toml', `[service]\nstate_dir = "${stateDir}"\n`)).stateDir).toBe(stateDir);
    const blocker = file('not-a-dir', '');
    const err = errorOf(file('st-bad.toml', `[service]\nstate_dir = "${join(blocker, 'state')}"\n`));
    expect(err.message).toContain('service.state_dir');
    expect(err.message).toContain('is not a directory');
  });

  it('reads [[sinks]] and [aggregate]', () => {
    const text = '[aggregate]\nkeep_gauges = true\n\n[[sinks]]\ntype = "stdout"\n\n[[sinks]]\ntype = "stream"\ncommand = "cat"\n';
    const c = loadConfigFile(file('l.toml', text));
    expect(c.keepGauges).toBe(true);
    expect(c.sinks).toEqual(['stdout', 'stream:cat']);
    expect(errorOf(file('m.toml', '[[sinks]]\ntype = "carrier-pigeon"\n')).reason).toMatch(/unknown sink type/);
  });

  it("switches statsite's stream_cmd and the default stdout to the binary stream with binary_stream, wherever it stands", () => {
    const before = loadConfigFile(file('bin1.ini', '[statsite]\nbinary_stream = yes\nprefix_binary_stream = 1\nstream_cmd = ./sink.py\n'));
    expect(before.sinks).toEqual(['stream+binary:./sink.py']);
    expect(before.binaryStream).toBe(true);
    expect(before.naming.prefixBinaryStream).toBe(true);
    const after = loadConfigFile(file('bin2.ini', '[statsite]\nstream_cmd = cat\nbinary_stream = true\n'));
    expect(after.sinks).toEqual(['stream+binary:cat']);
    const defaultSink = (name: string, text: string) => sinkSpecs(loadConfigFile(file(name, text)));
    expect(defaultSink('bin3.ini', '[statsite]\nbinary_stream = yes\n')).toEqual([{ type: 'stdout', options: 'binary', name: 'stdout' }]);
    expect(defaultSink('bin4.ini', '[statsite]\nbinary_stream = no\n')).toEqual([{ type: 'stdout', options: 'text', name: 'stdout' }]);
    // [[sinks]] say their own format.
    const toml = '[statsite]\nbinary_stream = true\n\n[[sinks]]\ntype = "stdout"\n';
    expect(loadConfigFile(file('bin5.toml', toml)).sinks).toEqual(['stdout']);
  });

  it('takes format = "binary" or "text" for stdout and stream [[sinks]], and names a bad one', () => {
    const text = [
      '[[sinks]]', 'type = "stdout"', 'format = "binary"', '',
      '[[sinks]]', 'type = "stream"', 'command = "cat"', 'format = "binary"', '',
      '[[sinks]]', 'type = "stream"', 'command = "cat"', 'format = "text"', '',
    ].join('\n');
    expect(loadConfigFile(file('fmt.toml', text)).sinks).toEqual(['stdout+binary', 'stream+binary:cat', 'stream:cat']);
    const bad = errorOf(file('fmt-bad.toml', '[[sinks]]\ntype = "stdout"\nformat = "xml"\n'));
    expect(bad.key).toBe('sinks[0].format');
    expect(bad.reason).toMatch(/"text" or "binary"/);
    const graphite = '[[sinks]]\ntype = "graphite"\nhost = "h"\nformat = "binary"\n';
    expect(errorOf(file('fmt-graphite.toml', graphite)).reason).toMatch(/unknown option/);
  });

  it('turns a graphite [[sinks]] table into a graphite:// spec and checks it', () => {
    const c = loadConfigFile(file('n.toml', [
      '[[sinks]]', 'type = "graphite"', 'host = "carbon"', 'port = 2004', 'prefix = "x."', 'buffer_lines = 10', '',
      '[[sinks]]', 'type = "graphite"', 'destinations = ["a:2003:a", "b:2003:b"]', 'routing = "carbon_ch"', '',
    ].join('\n')));
    expect(c.sinks).toEqual(['graphite://carbon:2004?prefix=x.&buffer_lines=10', 'graphite://a:2003:a,b:2003:b?routing=carbon_ch']);
    const sameHost = '[[sinks]]\ntype = "graphite"\ndestinations = ["h:1", "h:2"]\nrouting = "carbon_ch"\n';
    expect(errorOf(file('o.toml', sameHost)).reason).toMatch(/instance names/);
    expect(errorOf(file('p.toml', '[[sinks]]\ntype = "graphite"\nport = 2003\n')).key).toBe('sinks[0].host');
  });

  it('takes a name for every sink type, carried in its spec, and refuses a bad or a shared one naming the key', () => {
    const c = loadConfigFile(file('q.toml', [
      '[[sinks]]', 'type = "graphite"', 'host = "carbon"', 'name = "main"', '',
      '[[sinks]]', 'type = "stream"', 'command = "cat > /dev/null"', 'name = "archive"', '',
      '[[sinks]]', 'type = "stdout"', 'name = "console"', '',
      '[[sinks]]', 'type = "prometheus"', 'name = "scrape"', '',
    ].join('\n')));
    expect(c.sinks).toEqual([
      'graphite://carbon:2003?name=main', 'stream?name=archive:cat > /dev/null', 'stdout?name=console', 'prometheus://127.0.0.1:9102?name=scrape',
    ]);
    const bad = errorOf(file('r.toml', '[[sinks]]\ntype = "stdout"\nname = "a.b"\n'));
    expect([bad.key, bad.reason]).toEqual(['sinks[0].name', expect.stringMatching(/letters, digits/)]);
    const twice = '[[sinks]]\ntype = "stdout"\nname = "x"\n\n[[sinks]]\ntype = "stream"\ncommand = "cat"\nname = "x"\n';
    expect(errorOf(file('s.toml', twice)).reason).toMatch(/two sinks are named "x"/);
    // A given name may not take the default of another sink of the same type.
    const clash = '[[sinks]]\ntype = "stdout"\nname = "stdout_2"\n\n[[sinks]]\ntype = "stdout"\n\n[[sinks]]\ntype = "stdout"\n';
    expect(errorOf(file('t.toml', clash)).reason).toMatch(/two sinks are named "stdout_2"/);
  });
});
