// The status page in a real browser: Debian's chromium loads the admin endpoint's `/` from a
// running server with client traffic, a sink whose carbon is down and hostile names, runs the
// page's script (which polls /status.json) and the rendered DOM is read back. It must show an
// ingest rate, the sink as down, the hostile names as text — never as markup — and log nothing
// to the console (a script error or a Content-Security-Policy refusal would). The screenshot is
// kept in test-results/.

import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { getJson } from '../helpers/admin.js';
import { CHROMIUM, renderPage } from '../helpers/chromium.js';
import { describeIfInstalled } from '../helpers/external-tools.js';
import { freePort } from '../helpers/ports.js';
import { REPO_ROOT, startServer, stopAllServers } from '../helpers/server.js';
import { startTraffic, type Traffic } from '../helpers/traffic.js';
import { waitFor } from '../helpers/wait.js';
import type { StatusReport } from '../../src/admin/status-report.js';

let traffic: Traffic | null = null;
afterEach(async () => {
  await traffic?.stop();
  traffic = null;
  await stopAllServers();
});

const HOSTILE_NAME = '<script>alert(1)</script>';
const HOSTILE_LINE = '<img src=x onerror=alert(2)>';

/** The text of the element with this id in a dumped DOM (ids the page gives its key cells). */
function textOf(dom: string, id: string): string {
  const match = new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(dom);
  if (match === null) throw new Error(`no element #${id} in the page`);
  return match[1];
}

describeIfInstalled([CHROMIUM], 'the status page in headless chromium', () => {
  it('shows ingest rates, a down sink and hostile names as text, with no console errors', async () => {
    const [admin, carbonPort] = [await freePort(), await freePort()];
    const server = await startServer({
      args: ['--flush-interval', '1', '--admin', String(admin), '--sink', `graphite://127.0.0.1:${carbonPort}?name=carbon`, '--sink', 'stdout'],
    });
    traffic = startTraffic(server.port, `api.hits:1|c\napi.latency:12|ms\n${HOSTILE_NAME}:1|c\n${HOSTILE_LINE}\n`, { maxDatagrams: 3000 });
    const status = `http://127.0.0.1:${admin}/status.json`;
    await waitFor(async () => {
      const r = (await getJson<StatusReport>(status)).body;
      const lastUdp = r.history.udpLines.at(-1) ?? 0;
      const named = r.series.topPrefixes.some(([p]) => p === HOSTILE_NAME);
      return lastUdp > 0 && named && r.sinks.find((s) => s.name === 'carbon')?.state === 'down';
    }, { what: 'traffic in the history, the hostile series and the carbon sink down', timeoutMs: 20_000 });

    mkdirSync(join(REPO_ROOT, 'test-results'), { recursive: true });
    const screenshot = join(REPO_ROOT, 'test-results', 'status-page.png');
    const page = await renderPage(`http://127.0.0.1:${admin}/`, { screenshot });

    expect(page.console).toEqual([]);
    const udpRate = textOf(page.dom, 'rate-udp-lines');
    expect(udpRate).toMatch(/^[\d.,]+\/s$/);
    expect(Number(udpRate.replace(/[,/s]/g, ''))).toBeGreaterThan(0);
    expect(textOf(page.dom, 'sink-state-carbon')).toBe('down');
    expect(textOf(page.dom, 'sink-state-stdout')).toBe('up');
    expect(textOf(page.dom, 'ready')).toBe('not ready');
    // The hostile name and line are in the page as text (escaped in the dump) and never as elements.
    expect(page.dom).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.dom).toContain('&lt;img src=x onerror=alert(2)&gt;');
    expect(page.dom).not.toContain(HOSTILE_NAME);
    expect(page.dom).not.toMatch(/<img[^>]*onerror/);
    expect(statSync(screenshot).size).toBeGreaterThan(10_000);
  }, 120_000);
});

it('serves the page self-contained: its own script and style only, nothing from elsewhere', async () => {
  const admin = await freePort();
  await startServer({ args: ['--admin', String(admin)] });
  const res = await fetch(`http://127.0.0.1:${admin}/`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
  const csp = res.headers.get('content-security-policy') ?? '';
  expect(csp).toMatch(/default-src 'none'/);
  expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
  expect(csp).toMatch(/connect-src 'self'/);
  const html = await res.text();
  expect(html).not.toMatch(/\b(src|href)="(https?:)?\/\//);
  expect(html).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
  expect(html).toContain('status.json');
});

it('answers /status.json with the whole hour, or with ?since= only the points after it', async () => {
  const admin = await freePort();
  await startServer({ args: ['--flush-interval', '1', '--admin', String(admin)] });
  const status = `http://127.0.0.1:${admin}/status.json`;
  const full = await waitFor(async () => {
    const r = (await getJson<StatusReport>(status)).body;
    return r.history.at.length >= 3 && r;
  }, { what: 'three flushes in the history' });
  expect(full.statusVersion).toBe(1);
  const since = full.history.at[1];
  const later = (await getJson<StatusReport>(`${status}?since=${since}`)).body;
  expect(later.history.at.length).toBeGreaterThan(0);
  expect(later.history.at.every((at) => at > since)).toBe(true);
  expect(later.history.at[0]).toBe(full.history.at[2]);
  for (const column of Object.values(later.history)) expect(column.length).toBe(later.history.at.length);
});
