import { describe, expect, it } from 'vitest';
import { printable, renderStatus, showStatus } from '../../../src/cli/status.js';
import type { StatusReport } from '../../../src/admin/status-report.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

describe('printable', () => {
  it('shows every control character escaped, the rest as it is', () => {
    expect(printable('a\x1b[2Jb\u009bc\n<script>é')).toBe('a\\x1b[2Jb\\x9bc\\x0a<script>é');
  });
});

describe('statsite-ts status', () => {
  it('colours the states on a terminal, and only there', async () => {
    const report = { ready: { ok: false, problems: ['sink carbon: down'] } };
    const server = createServer((_, res) => res.end(JSON.stringify(sample(report))));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      for (const isTTY of [true, false]) {
        let text = '';
        const code = await showStatus(`127.0.0.1:${port}`, false, { isTTY, write: (t) => void (text += t) }, () => undefined);
        expect(code).toBe(1);
        expect(text.includes('\x1b[31mNOT READY\x1b[0m')).toBe(isTTY);
        expect(text).toContain('NOT READY');
      }
    } finally {
      server.close();
    }
  });

  it('draws the history as a sparkline', () => {
    const text = renderStatus(sample({}), (_, t) => t);
    expect(text).toMatch(/udp 10 lines\/s ▁▄█/);
  });
});

/** A /status.json as a server answers it, with `over` on top. */
function sample(over: Partial<StatusReport>): StatusReport {
  const zeros = [0, 0, 0];
  const history = { at: [1, 2, 3], seconds: [1, 1, 1], udpLines: [0, 5, 10], tcpLines: zeros, stdinLines: zeros, udpDatagrams: [0, 1, 2],
    rejectedLines: zeros, udpKernelDrops: zeros, droppedSamples: zeros, flushMs: [1, 1, 1], series: [1, 1, 1] };
  return {
    statusVersion: 1, now: 3,
    server: { version: '1.0.0', startedAt: 0, uptimeSeconds: 3, configFile: null, flushIntervalSeconds: 1, workers: 1,
      listeners: [{ name: 'udp', wanted: ':8125', address: '127.0.0.1:8125', error: null }],
      endpoints: { admin: '127.0.0.1:8127', management: null, acceptForward: null } },
    ready: { ok: true, problems: [] },
    ingest: { lines: { udp: 15 }, datagrams: { udp: 3 }, bytes: {}, udpKernelDrops: 0,
      tcp: { open: 0, accepted: 0, refused: 0, idleClosed: 0, acceptErrors: 0 }, parseErrors: { total: 0, byReason: {}, recent: [] } },
    series: {
      lastFlush: { counters: 1 }, total: 1, maxSeries: 0, headroom: null, droppedSamples: 0,
      topPrefixes: [['a.b', 1]], topDroppedPrefixes: [],
    },
    sinks: [],
    flushes: { count: 3, lastAt: 3, lastDurationMs: 1, lateIntervals: 0, lastReload: null },
    history,
    ...over,
  } as StatusReport;
}
