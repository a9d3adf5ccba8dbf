// Flush cost of statsite-ts: how long a flush of N distinct series takes on the stdout sink or the
// Graphite sink, and whether ingest loses lines while it runs.
//
// The server runs with --log-level debug, whose `flush` log line (src/flush/flusher.ts) carries
// the time the flush began (its time minus `gatherMs`, the wait for ingest workers' parts). The
// series are sent within one flush interval; the flush that follows is timed from that log line
// to the last chunk of its output, read as fast as it comes: the server's stdout, or for the
// Graphite sink a plaintext listener in the bench standing in for carbon. Meanwhile a background
// load (counters under other keys, at half the measured peak or a token rate) keeps arriving; its flushed
// sum, after a final flush, must equal what was sent.

import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { sendUdp } from './loadgen.mjs';
import { cpuSeconds, memory, udpSocket } from './proc.mjs';
import { startServer } from './servers.mjs';

/** Output silent this long after a flush began means it is written out, if series were lost. */
const QUIET_MS = 5000;
const BG_CHUNK_S = 0.5;

async function until(test, timeoutMs, stepMs = 20) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (test()) return true;
    await sleep(stepMs);
  }
  return false;
}

/** A carbon plaintext listener on a free loopback port, passing what it reads to `output`. */
async function carbonStandIn(output) {
  const listener = createServer((socket) => {
    socket.on('data', (chunk) => output(chunk));
    socket.on('error', () => undefined);
  });
  await new Promise((resolve) => listener.listen(0, '127.0.0.1', resolve));
  return { port: listener.address().port, close: () => new Promise((resolve) => listener.close(resolve)) };
}

/**
 * One flush of `series` distinct series of `type` ('c' or 'ms'), one sample each, sent at
 * `loadRate` lines/s, to `sink` ('stdout' or 'graphite'); background counters at `bgRate`
 * lines/s during the flush.
 */
export async function flushCase(gen, serverPin, tmpDir, { series, type, loadRate, bgRate, workers = 1, sink = 'stdout', nodeArgs = [] }) {
  const loadS = series / loadRate;
  const flushS = Math.max(3, Math.ceil(loadS * 1.5 + 1.5));
  let server = null;
  const carbon = sink === 'graphite' ? await carbonStandIn((chunk) => server?.output(chunk)) : null;
  // The default buffer_lines (1M lines, a fourteenth of a 1M-timer flush): a connected carbon
  // paces the flush (docs/sinks.md, Backpressure), so a stand-in that falls behind on the
  // generator's core makes the flush slower, never lossy.
  const sinkSpec = carbon === null ? 'stdout' : `graphite://127.0.0.1:${carbon.port}?prefix=statsite.`;
  server = await startServer('statsite-ts', { flushS, tmpDir, pin: serverPin, logLevel: 'debug', workers, sink: sinkSpec, nodeArgs });
  const port = server.port;
  try {
    const flushes = [];
    server.onStderrLine = (line, now) => {
      if (!line.includes('"flush"')) return;
      try {
        const rec = JSON.parse(line);
        if (rec.msg !== 'flush') return;
        const at = (typeof rec.time === 'number' ? rec.time : Date.parse(rec.time)) - (rec.gatherMs ?? 0);
        flushes.push({ at: Number.isFinite(at) ? at : now, series: rec.series ?? null });
      } catch {
        // not a JSON log line
      }
    };
    let bytes = 0;
    let seriesLines = Infinity;
    let flushEnd = null;
    let lastChunkAt = 0;
    server.onOutput = (length, now) => {
      bytes += length;
      lastChunkAt = now;
      // The flush has ended when the last of the series is out (output can pause for longer
      // than any quiet period: ingest comes first, and the bench's reader shares a core).
      if (flushEnd === null && server.tally.get(type, 's') >= seriesLines) flushEnd = now;
    };

    // Start right after a flush, so the series all land in the next one.
    if (!(await until(() => flushes.length >= 1, (flushS + 5) * 1000))) throw new Error('no debug `flush` log line seen');
    const load = await sendUdp(gen.path, gen.pin, { port, count: series, rate: loadRate, perDgram: 20, keys: series, type, prefix: 's' });
    seriesLines = load.lines;
    const nextFlushAt = flushes[0].at + flushS * 1000;
    if (Date.now() > nextFlushAt - 300) throw new Error('series load did not fit in one flush interval');

    // Background load from shortly before the flush until all its series are out (or, if some
    // were lost, until the output has been quiet for a while).
    await sleep(Math.max(0, nextFlushAt - 500 - Date.now()));
    const cpuBefore = cpuSeconds(server.pid);
    let bgSent = 0;
    const bytesBefore = bytes;
    for (let i = 0; i < 120 && flushEnd === null; i++) {
      const bg = await sendUdp(gen.path, gen.pin, {
        port,
        count: Math.round(bgRate * BG_CHUNK_S),
        rate: bgRate,
        perDgram: 20,
        keys: 1000,
        type: 'c',
        prefix: 'bg',
      });
      bgSent += bg.lines;
      const started = flushes.length >= 2;
      if (started && lastChunkAt > flushes[1].at && Date.now() - lastChunkAt > QUIET_MS) flushEnd = lastChunkAt;
    }
    // A flush longer than the interval is followed at once by the next one (only the background
    // keys, a few ms of output, queued behind it in the sink), so that may be included in flushMs.
    const cpu = cpuSeconds(server.pid) - cpuBefore;
    const { rss, peakRss } = memory(server.pid);
    if (flushEnd === null) throw new Error('the flush did not finish within the bound');
    const flush = flushes[1];

    // The background lines sent after the flush began come out in the next interval's flush.
    await until(
      () =>
        server.tally.get('c', 'bg') >= bgSent ||
        (Date.now() - server.tally.lastChangeAt > (flushS + 1) * 1000 && (udpSocket(port)?.rxQueue ?? 0) === 0),
      (flushS + 10) * 1000,
    );
    const bgCounted = server.tally.get('c', 'bg');
    const seriesCounted = server.tally.get(type, 's');
    return {
      series,
      type,
      workers,
      sink,
      flushIntervalS: flushS,
      seriesInFlush: flush.series,
      seriesLinesLost: load.lines - seriesCounted,
      flushMs: flushEnd - flush.at,
      outputBytes: bytes - bytesBefore,
      cpuSecondsDuringFlush: cpu,
      bgRate,
      bgSent,
      bgCounted,
      bgLost: bgSent - bgCounted,
      rss,
      peakRss,
    };
  } finally {
    await server.stop();
    await carbon?.close();
  }
}
