// statsite's binary stream from the real server: `binary_stream = yes` in a statsite INI file
// switches the default stdout output, and a TOML file's stream_cmd with it; `format = "binary"`
// does the same for one [[sinks]] entry. The bytes are read back by the documented layout
// (statsite's README, "Binary Sink Protocol"); the byte-exact records are test/unit/sinks/stream.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { sendUdp } from '../helpers/clients.js';
import { startServer, stopAllServers } from '../helpers/server.js';
import { tempFiles } from '../helpers/temp-files.js';
import { waitForUdpRead } from '../helpers/udp-queue.js';

afterEach(() => stopAllServers());

const { dir, file } = tempFiles('statsite-ts-binary-stream-');

interface BinaryRecord {
  timestamp: number;
  type: number;
  valueType: number;
  key: string;
  value: number;
}

/** Reads records: u64 timestamp, u8 type, u8 value type, u16 key length, f64 value, key + NUL (no histograms here). */
function readRecords(bytes: Buffer): BinaryRecord[] {
  const records: BinaryRecord[] = [];
  let at = 0;
  while (at < bytes.length) {
    const keyLength = bytes.readUInt16LE(at + 10);
    records.push({
      timestamp: Number(bytes.readBigUInt64LE(at)),
      type: bytes[at + 8],
      valueType: bytes[at + 9],
      value: bytes.readDoubleLE(at + 12),
      key: bytes.toString('utf8', at + 20, at + 20 + keyLength - 1),
    });
    expect(bytes[at + 20 + keyLength - 1]).toBe(0);
    at += 20 + keyLength;
  }
  return records;
}

function withoutTimestamps(records: BinaryRecord[]): Array<Omit<BinaryRecord, 'timestamp'>> {
  const now = Date.now() / 1000;
  for (const r of records) expect(Math.abs(r.timestamp - now)).toBeLessThan(120);
  return records.map(({ timestamp: _ts, ...rest }) => rest);
}

it('writes the default stdout output as the binary stream with binary_stream = yes in a statsite INI file', async () => {
  const ini = file('binary.ini', '[statsite]\nbinary_stream = yes\nprefix_binary_stream = yes\nflush_interval = 10\n');
  const server = await startServer({ args: ['--config', ini], stdoutEncoding: 'latin1' });
  await sendUdp(server.port, 'api.hits:3|c\nqueue:7|g\n');
  await waitForUdpRead(server.port);
  expect(await server.stop()).toMatchObject({ code: 0 });
  expect(withoutTimestamps(readRecords(Buffer.from(server.stdout, 'latin1')))).toEqual([
    { type: 0x2, valueType: 0x4, key: 'counts.api.hits', value: 1 },
    { type: 0x2, valueType: 0xb, key: 'counts.api.hits', value: 0.3 },
    { type: 0x5, valueType: 0x0, key: 'gauges.queue', value: 7 },
  ]);
});

it("writes stream_cmd's input as the binary stream with binary_stream, and a [[sinks]] entry with format = \"binary\"", async () => {
  const out = join(dir, 'stream.bin');
  const toml = file('binary.toml', [
    '[statsite]', 'binary_stream = true', `stream_cmd = "cat >> ${out}"`, 'flush_interval = 10', '',
    '[[sinks]]', 'type = "stdout"', 'format = "binary"', '',
  ].join('\n'));
  const server = await startServer({ args: ['--config', toml], stdoutEncoding: 'latin1' });
  await sendUdp(server.port, 'db:5|ms\nusers:alice|s\n');
  await waitForUdpRead(server.port);
  expect(await server.stop()).toMatchObject({ code: 0 });
  const expected = [
    { type: 0x3, valueType: 0x1, key: 'db', value: 5 },
    { type: 0x3, valueType: 0x2, key: 'db', value: 25 },
    { type: 0x3, valueType: 0x3, key: 'db', value: 5 },
    { type: 0x3, valueType: 0x6, key: 'db', value: 5 },
    { type: 0x3, valueType: 0x7, key: 'db', value: 5 },
    { type: 0x3, valueType: 0x4, key: 'db', value: 1 },
    { type: 0x3, valueType: 0x5, key: 'db', value: 0 },
    { type: 0x3, valueType: 0xb, key: 'db', value: 0.5 },
    { type: 0x3, valueType: 0xc, key: 'db', value: 0.1 },
    { type: 0x3, valueType: 0x80 | 50, key: 'db', value: 5 },
    { type: 0x3, valueType: 0x80 | 95, key: 'db', value: 5 },
    { type: 0x3, valueType: 0x80 | 99, key: 'db', value: 5 },
    { type: 0x4, valueType: 0x1, key: 'users', value: 1 },
  ];
  expect(existsSync(out)).toBe(true);
  expect(withoutTimestamps(readRecords(readFileSync(out)))).toEqual(expected);
  expect(withoutTimestamps(readRecords(Buffer.from(server.stdout, 'latin1')))).toEqual(expected);
});
