// The status page at the admin endpoint's `/`: one self-contained HTML document — its CSS and
// script inline, no fonts, images or scripts from elsewhere (a metrics host is often offline, and
// its Content-Security-Policy forbids any), hand-written because it is small: a framework or
// chart library would be many times the page. The script polls /status.json every few seconds
// (after the first answer only for new history points) and draws the history as inline SVG
// sparklines. Everything from the server — metric names, rejected lines, errors — is put in the
// page with textContent, never parsed as HTML, so `<script>` in a metric name shows as text.

import { createHash } from 'node:crypto';

const STYLE = `
:root { color-scheme: light dark; --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; --dim: #6e7781; --line: #d0d7de; }
body { font: 14px/1.4 system-ui, sans-serif; margin: 0 auto; padding: 1rem; max-width: 78rem; }
h1 { font-size: 1.3rem; margin: 0 0 .2rem; } h2 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; border-bottom: 1px solid var(--line); }
table { border-collapse: collapse; margin: .2rem 0 .6rem; }
td, th { padding: .15rem .6rem .15rem 0; text-align: left; vertical-align: top; }
th { font-weight: 600; color: var(--dim); } td.n { text-align: right; font-variant-numeric: tabular-nums; }
code { font: 12px ui-monospace, monospace; word-break: break-all; }
.badge { padding: 0 .4rem; border-radius: .3rem; color: #fff; font-weight: 600; }
.up, .ready { background: var(--ok); } .degraded { background: var(--warn); } .down, .not-ready { background: var(--bad); }
.dim { color: var(--dim); } .err { color: var(--bad); } svg.spark { vertical-align: middle; }
svg.spark polyline { fill: none; stroke: currentColor; stroke-width: 1.2; }
#banner:empty { display: none; } #banner { background: var(--bad); color: #fff; padding: .3rem .6rem; }
.grid { display: flex; flex-wrap: wrap; gap: 0 2.5rem; } .grid > section { min-width: 22rem; }
`;

// Plain ES2017 so any browser of the last years runs it; it is checked by the chromium e2e test.
const SCRIPT = `
(function () {
  'use strict';
  var POLL_MS = 3000;
  var HOUR_MS = 3600000;
  var history = null;
  var lastPointAt = 0;

  function $(id) { return document.getElementById(id); }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function fill(id, nodes) {
    var node = $(id);
    while (node.firstChild) node.removeChild(node.firstChild);
    nodes.forEach(function (child) { node.appendChild(child); });
  }
  function num(n) {
    if (n === null || n === undefined) return '–';
    if (Math.abs(n) >= 100 || Number.isInteger(n)) return Math.round(n).toLocaleString('en-US');
    return n.toFixed(Math.abs(n) >= 10 ? 1 : 2);
  }
  function bytes(n) {
    if (n === null || n === undefined) return '–';
    var units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    var i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? n : n.toFixed(1)) + ' ' + units[i];
  }
  function time(ms) { return ms === null || ms === undefined ? 'never' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + 'Z'; }
  function age(seconds) {
    if (seconds === null || seconds === undefined) return '–';
    seconds = Math.max(0, Math.round(seconds));
    if (seconds < 120) return seconds + ' s';
    if (seconds < 7200) return Math.round(seconds / 60) + ' min';
    if (seconds < 172800) return (seconds / 3600).toFixed(1) + ' h';
    return (seconds / 86400).toFixed(1) + ' d';
  }
  function cell(content, className, id) {
    var td = content instanceof Node ? el('td', className) : el('td', className, content);
    if (content instanceof Node) td.appendChild(content);
    if (id) td.id = id;
    return td;
  }
  function table(headers, rows) {
    var t = el('table');
    if (headers) {
      var head = el('tr');
      headers.forEach(function (h) { head.appendChild(el('th', '', h)); });
      t.appendChild(head);
    }
    rows.forEach(function (cells) {
      var tr = el('tr');
      cells.forEach(function (c) { tr.appendChild(c instanceof HTMLTableCellElement ? c : cell(c)); });
      t.appendChild(tr);
    });
    return t;
  }
  var SVG = 'http://www.w3.org/2000/svg';
  function sparkline(values, title) {
    var w = 240, h = 28;
    var svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('class', 'spark');
    svg.setAttribute('width', String(w));
    svg.setAttribute('height', String(h));
    var label = document.createElementNS(SVG, 'title');
    label.textContent = title;
    svg.appendChild(label);
    if (values.length < 2) return svg;
    var max = Math.max.apply(null, values.concat([1e-9]));
    var points = values.map(function (v, i) {
      return (i * w / (values.length - 1)).toFixed(1) + ',' + (h - 1 - v / max * (h - 2)).toFixed(1);
    });
    var line = document.createElementNS(SVG, 'polyline');
    line.setAttribute('points', points.join(' '));
    svg.appendChild(line);
    return svg;
  }
  function perSecond(column) {
    return history[column].map(function (v, i) { return history.seconds[i] > 0 ? v / history.seconds[i] : 0; });
  }
  function last(values) { return values.length === 0 ? null : values[values.length - 1]; }

  function mergeHistory(report) {
    var h = report.history;
    if (history === null) history = h;
    else Object.keys(h).forEach(function (k) { history[k] = (history[k] || []).concat(h[k]); });
    var from = report.now - HOUR_MS;
    var keep = history.at.findIndex(function (at) { return at > from; });
    if (keep > 0) Object.keys(history).forEach(function (k) { history[k] = history[k].slice(keep); });
    if (history.at.length > 0) lastPointAt = history.at[history.at.length - 1];
  }

  function renderHeader(r) {
    var degraded = r.sinks.some(function (s) { return s.state !== 'up'; });
    var state = !r.ready.ok ? ['not-ready', 'not ready'] : degraded ? ['degraded', 'degraded'] : ['ready', 'ready'];
    var badge = el('span', 'badge ' + state[0], state[1]);
    badge.id = 'ready';
    fill('state', [badge, el('span', 'dim', '  updated ' + time(r.now))]);
    fill('problems', r.ready.problems.map(function (p) { return el('li', 'err', p); }));
    $('version').textContent = r.server.version;
    document.title = (state[0] === 'ready' ? '' : '[' + state[1] + '] ') + 'statsite-ts status';
  }

  function renderIngest(r) {
    var rows = [];
    [['udp', 'udpLines', 'lines'], ['udp', 'udpDatagrams', 'datagrams'], ['tcp', 'tcpLines', 'lines'], ['stdin', 'stdinLines', 'lines']]
      .forEach(function (row) {
        var rates = perSecond(row[1]);
        var now = last(rates);
        rows.push([row[0], row[2], cell(now === null ? '–' : num(now) + '/s', 'n', 'rate-' + row[0] + '-' + row[2]),
          sparkline(rates, row[0] + ' ' + row[2] + ' per second, last hour')]);
      });
    var rejected = perSecond('rejectedLines');
    rows.push(['all', 'rejected', cell(num(last(rejected)) + '/s', 'n', 'rate-rejected'),
      sparkline(rejected, 'rejected lines per second')]);
    var i = r.ingest;
    var drops = i.udpKernelDrops === null ? 'not known here'
      : num(i.udpKernelDrops) + ' since start, ' + num(last(history.udpKernelDrops)) + ' last interval';
    fill('ingest', [
      table(['transport', 'what', 'now', 'last hour'], rows),
      table(null, [
        ['kernel UDP drops', cell(drops, '', 'udp-kernel-drops')],
        ['TCP connections', cell(num(i.tcp.open) + ' open, ' + num(i.tcp.accepted) + ' accepted, ' + num(i.tcp.refused) + ' refused, '
          + num(i.tcp.idleClosed) + ' closed idle', '', 'tcp-connections')],
        ['lines since start', Object.keys(i.lines).map(function (k) { return k + ' ' + num(i.lines[k]); }).join(', ')],
      ]),
    ]);
    var byReason = i.parseErrors.byReason;
    var reasons = Object.keys(byReason).sort(function (a, b) { return byReason[b] - byReason[a]; });
    fill('rejects', [
      el('p', '', num(i.parseErrors.total) + ' lines rejected since start'),
      table(['reason', 'lines'], reasons.map(function (k) { return [k, cell(num(byReason[k]), 'n')]; })),
      table(['last rejected', 'reason', 'line'], i.parseErrors.recent.slice().reverse().map(function (x) {
        return [time(x.at), x.reason, el('code', '', x.line)];
      })),
    ]);
    $('recent-rejects-count').textContent = String(i.parseErrors.recent.length);
  }

  function renderSeries(r) {
    var s = r.series;
    var types = Object.keys(s.lastFlush).map(function (k) { return [k, cell(num(s.lastFlush[k]), 'n')]; });
    types.push(['total', cell(num(s.total), 'n', 'series-total')]);
    var limit = s.maxSeries <= 0 ? 'no limit'
      : num(s.maxSeries) + ' (headroom ' + num(s.headroom) + ', ' + Math.round(100 * s.total / s.maxSeries) + '% used)';
    fill('series', [
      table(['type', 'series in the last flush'], types),
      table(null, [
        ['max_series', cell(limit, '', 'max-series')],
        ['samples dropped at the limit', num(s.droppedSamples) + ' since start'],
      ]),
      sparkline(history.series, 'series per flush, last hour'),
      table(['top prefixes', 'series'], s.topPrefixes.map(function (p) { return [el('code', 'prefix', p[0]), cell(num(p[1]), 'n')]; })),
      s.topDroppedPrefixes.length === 0 ? el('span') : table(['dropped at the limit', 'samples'], s.topDroppedPrefixes.map(function (p) {
        return [el('code', '', p[0]), cell(num(p[1]), 'n')];
      })),
    ]);
  }

  function renderSinks(r) {
    var headers = ['sink', 'state', 'last interval', 'queued', 'spool', 'last delivered', 'last flush error'];
    fill('sinks', [table(headers, r.sinks.map(function (k) {
      var c = k.counters;
      var state = el('div');
      var badge = el('span', 'badge ' + k.state, k.state);
      badge.id = 'sink-state-' + k.name;
      state.appendChild(badge);
      state.appendChild(el('div', 'dim', 'since ' + time(k.since)));
      if (k.reason) state.appendChild(el('div', 'err', k.reason));
      var name = el('div');
      name.appendChild(el('strong', '', k.name));
      name.appendChild(el('div', 'dim', k.destination));
      var queued = c === null ? '–'
        : num(c.bufferedLines) + (c.queuedSince === null ? '' : ', not empty for ' + age((r.now - c.queuedSince) / 1000));
      return [name, state, num(k.lastInterval.sent) + ' sent, ' + num(k.lastInterval.dropped) + ' dropped', queued,
        c === null ? '–' : bytes(c.spoolBytes), time(c === null ? k.lastSuccessAt : c.lastDeliveredAt),
        k.lastError === null ? '–' : el('span', 'err', k.lastError + ' (' + time(k.lastErrorAt) + ')')];
    }))]);
  }

  function renderFlushes(r) {
    var f = r.flushes;
    var reload = f.lastReload === null ? 'none since start'
      : time(f.lastReload.at) + (f.lastReload.error === null ? ': applied' : ': refused: ' + f.lastReload.error);
    fill('flushes', [
      table(null, [
        ['flushes', num(f.count) + ', every ' + r.server.flushIntervalSeconds + ' s, last ' + time(f.lastAt)],
        ['duration', cell(num(f.lastDurationMs) + ' ms (longest sink, last flush)', '', 'flush-duration')],
        ['late intervals', num(f.lateIntervals)],
        ['last reload', cell(reload, f.lastReload !== null && f.lastReload.error !== null ? 'err' : '', 'last-reload')],
      ]),
      sparkline(history.flushMs, 'flush duration (ms) per flush, last hour'),
    ]);
  }

  function renderServer(r) {
    var s = r.server;
    var e = s.endpoints;
    fill('server', [table(null, [
      ['version', s.version],
      ['uptime', cell(age(s.uptimeSeconds), '', 'uptime')],
      ['started', time(s.startedAt)],
      ['config file', s.configFile === null ? 'none (flags and defaults)' : el('code', '', s.configFile)],
      ['listeners', s.listeners.map(function (l) {
        return l.name + ' ' + (l.address || 'off') + (l.error ? ' (' + l.error + ')' : '');
      }).join(', ')],
      ['ingest workers', s.workers === 1 ? 'none (the server ingests itself)' : String(s.workers)],
      ['admin', e.admin || '–'], ['management', e.management || 'off'], ['accepts forwards', e.acceptForward || 'off'],
    ])]);
  }

  function render(report) {
    mergeHistory(report);
    renderHeader(report);
    renderIngest(report);
    renderSeries(report);
    renderSinks(report);
    renderFlushes(report);
    renderServer(report);
  }

  function poll() {
    fetch('status.json?since=' + lastPointAt, { cache: 'no-store' })
      .then(function (res) {
        if (!res.ok) throw new Error('status.json answered ' + res.status);
        return res.json();
      })
      .then(function (report) {
        $('banner').textContent = '';
        render(report);
      })
      .catch(function (err) { $('banner').textContent = 'cannot reach the server: ' + err.message; })
      .then(function () { setTimeout(poll, POLL_MS); });
  }
  poll();
})();
`;

const BODY = `
<header><h1>statsite-ts <span id="version" class="dim"></span></h1><div id="state">loading…</div><ul id="problems"></ul></header>
<div id="banner" role="alert"></div>
<div class="grid">
<section><h2>Ingest</h2><div id="ingest"></div></section>
<section><h2>Parse errors</h2><div id="rejects"></div>
<p class="dim"><span id="recent-rejects-count">0</span> recent lines kept (sampled)</p></section>
<section><h2>Series</h2><div id="series"></div></section>
<section><h2>Flushes</h2><div id="flushes"></div></section>
</div>
<section><h2>Sinks</h2><div id="sinks"></div></section>
<section><h2>Server</h2><div id="server"></div></section>
`;

export const STATUS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>statsite-ts status</title><link rel="icon" href="data:,"><style>${STYLE}</style></head>
<body>${BODY}<script>${SCRIPT}</script></body></html>
`;

/** Only this page's own script and style run, and it talks to nothing but its own server. */
export const STATUS_PAGE_CSP = [
  "default-src 'none'",
  `script-src 'sha256-${createHash('sha256').update(SCRIPT).digest('base64')}'`,
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  "connect-src 'self'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
