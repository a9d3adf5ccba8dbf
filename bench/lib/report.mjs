// Turns results.json's content into the text tables printed on stdout (and pasted in the README).

import { readFileSync } from 'node:fs';

/** The figures of issue #21's rows at the commit before that work, to print beside this run's. */
const BEFORE_21 = JSON.parse(readFileSync(new URL('../before-issue-21.json', import.meta.url), 'utf8'));

const SERVERS = ['statsite-ts', 'statsite-ts-w2', 'etsy', 'bare'];
const SERVER_TITLES = { 'statsite-ts': 'statsite-ts', 'statsite-ts-w2': 'ts, 2 workers', etsy: 'etsy statsd', bare: 'bare socket' };

function rate(n) {
  if (n === null || n === undefined) return '—';
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${Math.round(n / 1e3)}k`;
  return String(Math.round(n));
}
const mb = (bytes) => (bytes === null || bytes === undefined ? '—' : `${Math.round(bytes / 2 ** 20)} MB`);
/** a / b; `≤` when b was generator-limited (b's real limit is higher, so the ratio is lower). */
const ratio = (a, b, bLimited = false) => (a && b ? `${bLimited ? '≤' : ''}${(a / b).toFixed(2)}×` : '—');
const pct = (x, digits = 2) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(digits)}%`);

function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => '| ' + cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ') + ' |';
  return [line(header), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...rows.map(line)].join('\n');
}

/** The best rate of a search, marked `≥` when the generator, not the server, was the limit. */
/** A part that runs in-process: a blank line, its title and its table, or the error its script gave. */
function inProcessSection(title, header, result, rows) {
  const errorRow = ['error', result.error, ...header.slice(2).map(() => '')];
  return ['', title, table(header, result.error ? [errorRow] : rows(result))];
}

function best(search) {
  if (!search) return '—';
  if (search.error) return 'error';
  if (!search.best) return 'none';
  return (search.best.generatorLimited ? '≥' : '') + rate(search.best.rate);
}

export function formatReport(r) {
  const out = [];
  if (r.startup) {
    out.push(...inProcessSection('Start-up: spawn to listening (UDP and TCP bound), median of 7, stdout sink only',
      ['server', 'median', 'min', 'max', 'ts / bare'], r.startup, (s) => ['statsite-ts', 'bare'].map((k) => [
        k === 'bare' ? 'bare socket' : k,
        `${s[k].medianMs} ms`,
        `${s[k].minMs} ms`,
        `${s[k].maxMs} ms`,
        k === 'bare' ? '' : ratio(s[k].medianMs, s.bare.medianMs),
      ])));
    out.shift();
  }
  const udp = r.udp ?? {};
  if (Object.keys(udp).length > 0) {
    out.push('UDP ingest: highest lines/s with < 0.1% loss (counted from flushed aggregates)');
    out.push(
      table(
        ['workload', ...SERVERS.map((s) => SERVER_TITLES[s]), 'ts / etsy', 'ts / bare', 'ts 2w / etsy', 'ts 2w / bare'],
        Object.values(udp).map((w) => {
          const get = (s) => w.servers[s]?.best?.rate ?? null;
          const limited = (s) => w.servers[s]?.best?.generatorLimited ?? false;
          return [
            w.title,
            ...SERVERS.map((s) => (w.servers[s] ? best(w.servers[s]) : '—')),
            ratio(get('statsite-ts'), get('etsy'), limited('etsy')),
            ratio(get('statsite-ts'), get('bare'), limited('bare')),
            ratio(get('statsite-ts-w2'), get('etsy'), limited('etsy')),
            ratio(get('statsite-ts-w2'), get('bare'), limited('bare')),
          ];
        }),
      ),
    );
    out.push('');
    out.push('At that rate: server CPU (1.00 = one core busy for the whole burst), CPU ns per line, RSS');
    const rows = [];
    for (const w of Object.values(udp)) {
      for (const s of SERVERS) {
        const b = w.servers[s]?.best;
        if (!b) continue;
        rows.push([
          w.title,
          SERVER_TITLES[s],
          rate(b.rate),
          b.cpuLoad.toFixed(2),
          Math.round(b.nsPerLine),
          mb(b.rss),
          mb(w.servers[s].peakRss),
        ]);
      }
    }
    out.push(table(['workload', 'server', 'lines/s', 'cpu', 'ns/line', 'rss', 'peak rss'], rows));
    const trials = Object.values(udp).flatMap((w) => Object.values(w.servers).flatMap((s) => s.trials ?? []));
    const disturbed = trials.filter((t) => t.disturbed);
    if (disturbed.length > 0) {
      const worst = Math.max(...disturbed.map((t) => t.otherLoad));
      out.push(
        `Note: other processes used > 0.1 core during ${disturbed.length} of ${trials.length} trials (up to ${worst.toFixed(2)}); `
          + 'failed ones were retried, but expect noise.',
      );
    }
  }
  if (r.tcp?.length) {
    out.push('');
    out.push('TCP ingest into statsite-ts (newline-framed counters, as fast as it reads)');
    out.push(
      table(
        ['server', 'connections', 'lines', 'lines/s', 'lost', 'ns/line', 'rss'],
        r.tcp.map((t) => {
          const server = SERVER_TITLES[t.server ?? 'statsite-ts'];
          return t.error
            ? [server, t.connections, 'error', '', '', '', '']
            : [server, t.connections, rate(t.lines), rate(t.rate), t.lines - t.counted, Math.round(t.nsPerLine), mb(t.rss)];
        }),
      ),
    );
  }
  if (r.flush?.length) {
    out.push('');
    out.push('Flush of N distinct series, with background counters arriving meanwhile');
    out.push(
      table(
        ['series', 'type', 'sink', 'ingest', 'flush', 'output', 'series lines lost', 'background rate', 'background lost', 'rss'],
        r.flush.map((f) =>
          f.error
            ? [rate(f.series), f.type, f.sink ?? 'stdout', f.workers ?? 1, 'error', '', '', '', '', '']
            : [
                rate(f.series),
                f.type === 'c' ? 'counters' : 'timers',
                f.sink ?? 'stdout',
                (f.workers ?? 1) > 1 ? `${f.workers} workers` : 'in-process',
                `${f.flushMs} ms`,
                mb(f.outputBytes),
                f.seriesLinesLost,
                rate(f.bgRate),
                `${f.bgLost} of ${rate(f.bgSent)} (${pct(f.bgLost / f.bgSent, 1)})`,
                mb(f.rss),
              ],
        ),
      ),
    );
  }
  if (r.rss?.length) {
    out.push('');
    out.push('RSS around one big interval of distinct series, then three quiet intervals (1000 counter keys)');
    out.push(
      table(
        ['series', 'type', 'lines a series', 'sink', 'environment', 'rss before', 'peak rss', 'rss after', 'after / before',
          'queued lines', 'rss per queued line'],
        r.rss.map((c) => {
          const what = [rate(c.series), kind(c), c.samples ?? 1, c.sink, c.environment || '—'];
          if (c.error) return [...what, 'error', c.error.slice(0, 60), '', '', '', ''];
          return [...what, mb(c.rssBefore), mb(c.peakRss), mb(c.rssAfter), `${c.afterOverBefore}×`,
            c.queuedLines === undefined ? '—' : rate(c.queuedLines), c.rssPerQueuedLine === undefined ? '—' : `${c.rssPerQueuedLine} B`];
        }),
      ),
    );
  }
  if (r.memory) {
    out.push(...inProcessSection('Memory per series (in-process, heap + off-heap growth after GC, keys included)',
      ['series kind', 'series measured', 'bytes/series'], r.memory, (m) => [
        ['counter (1 sample)', rate(m.counter.series), m.counter.bytesPerSeries],
        [`timer (${m.timer.samplesPerSeries} samples)`, rate(m.timer.series), m.timer.bytesPerSeries],
      ]));
  }
  if (r.queue) {
    out.push(...inProcessSection('Lines queued for a carbon that is down (in-process Graphite sink, heap + off-heap growth after GC)',
      ['lines queued', 'line bytes', 'bytes/line', 'bytes/line ÷ line bytes'], r.queue,
      (q) => [[rate(q.lines), q.lineBytes, q.bytesPerLine, (q.bytesPerLine / q.lineBytes).toFixed(2)]]));
  }
  if (r.render) {
    const renderTitle = 'Render of one-sample timer series, stream format, 13 lines each (in-process) vs C snprintf of the same bytes';
    out.push(...inProcessSection(renderTitle,
      ['series', 'ts ns/series', 'C snprintf ns/series', 'ts / C', 'output'], r.render,
      (x) => [[rate(x.series), x.nsPerSeries, x.referenceNsPerSeries ?? '—', x.ratio === undefined ? '—' : `${x.ratio}×`, mb(x.bytes)]]));
  }
  if (r.accuracy) {
    out.push(...inProcessSection('Quantile rank error of the timer (exact batches + default sketch) vs exact, 1M samples',
      ['samples', 'p50', 'p95', 'p99', 'ns/add'], r.accuracy, (a) => Object.entries(a).map(([shape, s]) => [
        shape,
        pct(s.p50.rankError, 4),
        pct(s.p95.rankError, 4),
        pct(s.p99.rankError, 4),
        s.nsPerAdd,
      ])));
  }
  if (r.flood) {
    const title = 'Hash flooding: names crafted to share one FNV-1a hash vs random names of the same length (parse + aggregate)';
    out.push(...inProcessSection(title,
      ['names x rounds', 'random ns/line', 'crafted ns/line', 'crafted / random'], r.flood,
      (f) => [[`${f.names} x ${f.rounds}`, f.randomNsPerLine, f.craftedNsPerLine, f.ratio]]));
  }
  if (r.binary) {
    out.push(...inProcessSection("statsite's binary messages vs text lines: the same samples, 20 to a datagram (parse + aggregate)",
      ['samples', 'text ns/sample', 'binary ns/sample', 'binary / text'], r.binary,
      (b) => [[b.samples, b.textNsPerSample, b.binaryNsPerSample, b.ratio]]));
  }
  const rows21 = issue21Rows(r);
  if (rows21.length > 0) {
    out.push('');
    out.push(`Issue #21's rows: this run beside commit ${BEFORE_21.commit} (recorded, bench/before-issue-21.json)`);
    const cells = rows21.map(([key, title, target, now]) => [title, target, BEFORE_21.rows[key] ?? 'not measured', now]);
    out.push(table(['row', 'target', 'before', 'this run'], cells));
  }
  if (r.profile?.length) {
    for (const p of r.profile) {
      out.push('');
      out.push(
        `CPU profile of statsite-ts, 20 ${p.workload.type === 'c' ? 'counter' : 'timer'} lines/datagram `
          + `at ${rate(p.sentRate)} lines/s (self time, share of busy time)`,
      );
      out.push(table(['share', 'function'], p.top.slice(0, 10).map((t) => [pct(t.share, 1), t.function])));
    }
  }
  const sections = Object.entries(r.sections ?? {}).filter(([, s]) => s.stolenCpuSeconds !== null);
  if (sections.length > 0) {
    out.push('');
    out.push(`CPU time the hypervisor took from this VM (steal), per section: ${
      sections.map(([name, s]) => `${name} ${s.stolenCpuSeconds} s in ${s.seconds} s`).join(', ')}`);
  }
  return out.join('\n');
}

/** [key in before-issue-21.json, title, target, this run's figure] for the parts this run measured. */
/** What a memory case's series were: an older results file has only counters. */
const kind = (c) => ((c.type ?? 'c') === 'ms' ? 'timers' : 'counters');

function issue21Rows(r) {
  const rows = [];
  const flush = (series, type, sink, workers, quiet) =>
    r.flush?.find((f) => !f.error && f.series === series && f.type === type && (f.sink ?? 'stdout') === sink
      && (f.workers ?? 1) === workers && (f.bgRate <= 2000) === quiet);
  const flushText = (f) => `${f.flushMs} ms, ${f.bgLost} lost (background ${rate(f.bgRate)}/s)`;
  if (r.startup && !r.startup.error) {
    const s = r.startup;
    const ts = s['statsite-ts'].medianMs;
    rows.push(['startup', 'start-up to listening', '≤ 100 ms', `${ts} ms (${ratio(ts, s.bare.medianMs)} the bare socket)`]);
  }
  const quiet = flush(1_000_000, 'ms', 'stdout', 1, true);
  if (quiet) rows.push(['flushTimersQuiet', '1M timers to stdout, token background', '≤ 1.5 s', `${quiet.flushMs} ms`]);
  const busy = flush(1_000_000, 'ms', 'stdout', 1, false);
  if (busy) rows.push(['flushTimersBackground', '1M timers to stdout, half-peak background', '≤ 5 s, 0 lost', flushText(busy)]);
  const graphite = flush(1_000_000, 'ms', 'graphite', 1, false);
  if (graphite) rows.push(['flushTimersGraphite', '1M timers to Graphite, half-peak background', '≤ 6 s, 0 lost', flushText(graphite)]);
  const workers = flush(100_000, 'ms', 'stdout', 2, false);
  const single = flush(100_000, 'ms', 'stdout', 1, false);
  if (workers && single) {
    const text = `${flushText(workers)}; one process ${single.flushMs} ms`;
    rows.push(['flushWorkers', '100k timers, --workers 2', 'no slower than one process, 0 lost', text]);
  }
  // CPU per line of the two ingest workers over one process's, each at its own best rate.
  const perLine = (w, s) => r.udp?.[w]?.servers[s]?.best?.nsPerLine ?? null;
  const cpuRatios = ['udp20c', 'udp20t', 'udp1']
    .map((w) => [w, perLine(w, 'statsite-ts-w2'), perLine(w, 'statsite-ts')])
    .filter(([, two, one]) => two !== null && one !== null)
    .map(([w, two, one]) => `${r.udp[w].title}: ${(two / one).toFixed(2)}×`);
  if (cpuRatios.length > 0) rows.push(['workersCpu', '--workers 2 CPU per line vs one process', '≤ 1.15× each', cpuRatios.join('; ')]);
  const rssText = (cases, label) =>
    cases.map((c) => `${label(c)}${mb(c.rssBefore)} → ${mb(c.rssAfter)} (${c.afterOverBefore}×)`).join('; ');
  const big = r.rss?.filter((c) => !c.error && c.sink === 'stdout') ?? [];
  const counters = big.filter((c) => kind(c) === 'counters');
  if (counters.length > 0) {
    const asRun = (c) => (c.environment ? `as the systemd unit runs it (${c.environment}): ` : '');
    rows.push(['rssAfterBigInterval', 'RSS after a big interval and three quiet ones', '≤ 1.5× before', rssText(counters, asRun)]);
  }
  const timers = big.filter((c) => kind(c) === 'timers');
  if (timers.length > 0) {
    const label = (c) => `${rate(c.series)} × ${c.samples} sample${c.samples > 1 ? 's' : ''}: `;
    rows.push(['rssAfterBigTimerInterval', 'the same, a big interval of timers', '≤ 1.5× before', rssText(timers, label)]);
  }
  if (r.queue && !r.queue.error) {
    const { bytesPerLine, lineBytes } = r.queue;
    const text = `${bytesPerLine} B a ${lineBytes}-byte line (${(bytesPerLine / lineBytes).toFixed(2)}×) in-process`;
    rows.push(['queuedLine', 'memory per line queued for a down carbon', '≤ 2× the line', text]);
  }
  const down = r.rss?.find((c) => !c.error && c.sink === 'graphite');
  if (down) rows.push(['rssPerQueuedLine', 'server RSS per line queued for a down carbon', '≤ 2× the line', `${down.rssPerQueuedLine} B`]);
  if (r.render && !r.render.error) {
    const text = `${r.render.nsPerSeries} ns a series${r.render.ratio ? `, ${r.render.ratio}× C snprintf` : ''}`;
    rows.push(['render', 'render of a one-sample timer series', '—', text]);
  }
  return rows;
}
