// A real Graphite for e2e tests: carbon-cache and graphite-web from the Debian
// packages (scripts/install-test-deps.sh installs them), run as child
// processes on free 127.0.0.1 ports, with every file in a fresh temp dir.
//
//   GRAPHITE: ExternalTool                  for describeIfInstalled([GRAPHITE], …) (external-tools.ts)
//   startGraphite({ caches?: number, schema?: CarbonSchemaFiles }): Promise<Graphite>
//
//   Graphite {
//     lineHost: '127.0.0.1'; linePort; picklePort   // of caches[0]
//     webUrl: 'http://127.0.0.1:PORT'; dir          // temp dir, removed by stop()
//     caches: CarbonCache[]                         // 1 by default; instances 'a', 'b', ...
//     send(lines, cache = 0): Promise<void>         // plaintext lines over one TCP connection
//     find(query): Promise<FindNode[]>              // /metrics/find
//     render(target, from = '-5min'): Promise<RenderSeries[]>   // /render?format=json
//     values(target, from?): Promise<number[]>      // the non-null values of render()
//     findSeriesByTag(...exprs): Promise<string[]>  // /tags/findSeries
//     waitFor(fn, timeoutMs = 10_000): Promise<T>   // poll until fn returns a truthy value
//     stopCarbon(); startCarbon()                   // all caches; same ports and storage
//     pauseCarbon(); resumeCarbon()                 // SIGSTOP / SIGCONT: a carbon that stops reading
//     stop()                                        // everything, by pid; removes dir
//                                                   // (kept when KEEP_GRAPHITE_DIR is set, for debugging)
//   }
//   CarbonCache { instance; linePort; picklePort; queryPort; whisperDir; running;
//                 start(); stop(); series(): string[] /* untagged names in its whisper dir */ }
//
// With { caches: 2 } each cache has its own ports and whisper dir; graphite-web
// reads both dirs and CARBONLINK_HOSTS lists both as 127.0.0.1:QUERY_PORT:INSTANCE
// (carbon_ch hashing), as a carbon-relay DESTINATIONS list would. Use
// caches[i].series() to see where a metric landed.
//
// Why the settings below (see also /work/shared/notes/graphite.md):
// - /usr/bin/python3: a python3 earlier on PATH (pyenv) lacks the Debian modules.
// - graphite-web starts before carbon: carbon registers a tagged series with
//   the web app when it creates it and drops the registration if that fails.
// - MAX_CREATES_PER_MINUTE / MAX_UPDATES_PER_SECOND = inf: Debian's limits
//   delay new series by many seconds.
// - FIND_CACHE_DURATION / DEFAULT_CACHE_DURATION = 0 and a dummy Django cache:
//   otherwise find and render answers are cached for up to 5 min and polling
//   never sees new data.
// - CARBON_METRIC_INTERVAL = 0: no carbon.agents.* series among the test's.

import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { TestChild } from './child-process.js';
import { canConnect } from './clients.js';
import { installed, testDeps, type ExternalTool } from './external-tools.js';
import { freePort } from './ports.js';
import { waitFor as poll } from './wait.js';

const PYTHON = '/usr/bin/python3';
const CARBON_CACHE = '/usr/bin/carbon-cache';
const GRAPHITE_MANAGE = '/usr/bin/graphite-manage';
const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 20_000;

export const GRAPHITE: ExternalTool = {
  name: 'real Graphite',
  files: [PYTHON, CARBON_CACHE, GRAPHITE_MANAGE],
  install: testDeps('graphite-carbon', 'graphite-web'),
};

export interface FindNode {
  id: string;
  text: string;
  leaf: 0 | 1;
  expandable: 0 | 1;
}

export interface RenderSeries {
  target: string;
  tags: Record<string, string>;
  /** [value, unix seconds]; value is null where the series has no point. */
  datapoints: [number | null, number][];
}

function pythonEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  // Only Debian's python paths: a PYTHONHOME/PYTHONPATH from the caller (pyenv) could shadow them.
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' };
  delete env.PYTHONHOME;
  delete env.PYTHONPATH;
  return { ...env, ...extra };
}

// ---------------------------------------------------------------------------
// carbon-cache

/** carbon's storage-schemas.conf and storage-aggregation.conf, as their text. */
export interface CarbonSchemaFiles {
  schemas: string;
  aggregation: string;
}

const TEST_SCHEMA: CarbonSchemaFiles = {
  // 1-second points for an hour so tests can flush every second.
  schemas: '[default]\npattern = .*\nretentions = 1s:1h,10s:1d\n',
  // xFilesFactor 0: sparse test series still roll up into the 10 s archive.
  aggregation: '[default]\npattern = .*\nxFilesFactor = 0\naggregationMethod = average\n',
};

export class CarbonCache {
  readonly whisperDir: string;
  #child: TestChild | undefined;
  readonly #root: string;

  constructor(
    readonly instance: string,
    root: string,
    readonly linePort: number,
    readonly picklePort: number,
    readonly queryPort: number,
    webPort: number,
    schema: CarbonSchemaFiles = TEST_SCHEMA,
  ) {
    this.#root = root;
    this.whisperDir = join(root, 'storage', 'whisper');
    for (const d of ['conf', 'storage/whisper', 'storage/lists', 'log', 'run']) mkdirSync(join(root, d), { recursive: true });
    writeFileSync(
      join(root, 'conf', 'carbon.conf'),
      `[cache]
STORAGE_DIR = ${join(root, 'storage')}/
LOCAL_DATA_DIR = ${this.whisperDir}/
WHITELISTS_DIR = ${join(root, 'storage', 'lists')}/
CONF_DIR = ${join(root, 'conf')}/
LOG_DIR = ${join(root, 'log')}/
PID_DIR = ${join(root, 'run')}/
USER =
DATABASE = whisper
ENABLE_LOGROTATION = False
MAX_CACHE_SIZE = inf
MAX_UPDATES_PER_SECOND = inf
MAX_CREATES_PER_MINUTE = inf
MIN_TIMESTAMP_RESOLUTION = 1
LINE_RECEIVER_INTERFACE = ${HOST}
LINE_RECEIVER_PORT = ${linePort}
ENABLE_UDP_LISTENER = False
PICKLE_RECEIVER_INTERFACE = ${HOST}
PICKLE_RECEIVER_PORT = ${picklePort}
CACHE_QUERY_INTERFACE = ${HOST}
CACHE_QUERY_PORT = ${queryPort}
USE_FLOW_CONTROL = True
CACHE_WRITE_STRATEGY = sorted
WHISPER_AUTOFLUSH = False
WHISPER_FALLOCATE_CREATE = False
WHISPER_SPARSE_CREATE = True
CARBON_METRIC_INTERVAL = 0
ENABLE_TAGS = True
GRAPHITE_URL = http://${HOST}:${webPort}
`,
    );
    writeFileSync(join(root, 'conf', 'storage-schemas.conf'), schema.schemas);
    writeFileSync(join(root, 'conf', 'storage-aggregation.conf'), schema.aggregation);
  }

  get running(): boolean {
    return this.#child?.alive ?? false;
  }

  async start(): Promise<void> {
    if (this.running) return;
    // A pidfile left by a SIGKILLed run makes carbon refuse to start.
    rmSync(join(this.#root, 'run', 'carbon-cache.pid'), { force: true });
    const child = new TestChild(
      `carbon-cache ${this.instance}`,
      PYTHON,
      [
        CARBON_CACHE,
        `--config=${join(this.#root, 'conf', 'carbon.conf')}`,
        `--instance=${this.instance}`,
        `--pidfile=${join(this.#root, 'run', 'carbon-cache.pid')}`,
        '--nodaemon',
        'start',
      ],
      pythonEnv(),
    );
    this.#child = child;
    // The line port is opened last-ish; the query port must be up too, or
    // graphite-web's first render misses cached points.
    await child.waitReady(
      async () => (await canConnect(this.linePort)) && (await canConnect(this.queryPort)),
      `carbon-cache ${this.instance} on ${HOST}:${this.linePort}`,
    );
  }

  async stop(): Promise<void> {
    this.resume(); // a stopped process would ignore the SIGTERM
    await this.#child?.stop();
  }

  /** SIGSTOP: carbon keeps its connections and reads nothing — a blackhole, as a long GC pause or a full disk. */
  pause(): void {
    if (this.running) this.#child!.proc.kill('SIGSTOP');
  }

  /** SIGCONT after pause(). */
  resume(): void {
    if (this.running) this.#child!.proc.kill('SIGCONT');
  }

  output(): string {
    const file = join(this.#root, 'log', `carbon-cache-${this.instance}`, 'console.log');
    const log = existsSync(file) ? `\n--- ${file}:\n${readFileSync(file, 'utf8').slice(-2000)}` : '';
    return (this.#child?.output() ?? '') + log;
  }

  /** Untagged series names stored by this cache (tagged ones live under _tagged/ as hashes). */
  series(): string[] {
    const names: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) {
          if (entry.name !== '_tagged') walk(path);
        } else if (entry.name.endsWith('.wsp')) {
          names.push(relative(this.whisperDir, path).slice(0, -4).split('/').join('.'));
        }
      }
    };
    walk(this.whisperDir);
    return names.sort();
  }
}

// ---------------------------------------------------------------------------
// graphite-web

function webSettings(dir: string, whisperDirs: string[], carbonlinks: string[]): string {
  const py = (v: unknown) => JSON.stringify(v);
  return `SECRET_KEY = 'statsite-ts-e2e'
ALLOWED_HOSTS = ['*']
DEBUG = False
STORAGE_DIR = ${py(dir)}
WHISPER_DIR = ${py(whisperDirs[0])}
STANDARD_DIRS = ${py(whisperDirs)}
LOG_DIR = ${py(join(dir, 'log'))}
INDEX_FILE = ${py(join(dir, 'index'))}
LOG_ROTATION = False
DATABASES = {'default': {'NAME': ${py(join(dir, 'graphite.db'))}, 'ENGINE': 'django.db.backends.sqlite3',
                         'USER': '', 'PASSWORD': '', 'HOST': '', 'PORT': ''}}
CACHES = {'default': {'BACKEND': 'django.core.cache.backends.dummy.DummyCache'}}
CARBONLINK_HOSTS = ${py(carbonlinks)}
CARBONLINK_TIMEOUT = 1.0
FIND_CACHE_DURATION = 0
DEFAULT_CACHE_DURATION = 0
DEFAULT_XFILES_FACTOR = 0
FUNCTION_PLUGINS = []
`;
}

// ---------------------------------------------------------------------------

export interface StartGraphiteOptions {
  /** Number of carbon-caches (default 1), instances 'a', 'b', ... */
  caches?: number;
  /** carbon's schema and aggregation (default: 1 s points, averaged), e.g. what `statsite-ts carbon-schema` prints. */
  schema?: CarbonSchemaFiles;
}

export interface Graphite {
  readonly lineHost: string;
  readonly linePort: number;
  readonly picklePort: number;
  readonly webUrl: string;
  readonly dir: string;
  readonly caches: CarbonCache[];
  send(lines: string | string[], cache?: number): Promise<void>;
  find(query: string): Promise<FindNode[]>;
  render(target: string, from?: string): Promise<RenderSeries[]>;
  values(target: string, from?: string): Promise<number[]>;
  findSeriesByTag(...exprs: string[]): Promise<string[]>;
  waitFor<T>(fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs?: number): Promise<T>;
  stopCarbon(): Promise<void>;
  startCarbon(): Promise<void>;
  /** Every cache stops reading (SIGSTOP) / reads again (SIGCONT). */
  pauseCarbon(): void;
  resumeCarbon(): void;
  stop(): Promise<void>;
}

export async function startGraphite(opts: StartGraphiteOptions = {}): Promise<Graphite> {
  if (!installed(GRAPHITE)) throw new Error('Graphite is not installed: run scripts/install-test-deps.sh');
  const dir = mkdtempSync(join(tmpdir(), 'statsite-ts-graphite-'));
  const ports = await distinctFreePorts(1 + 3 * (opts.caches ?? 1));
  const webPort = ports.shift()!;
  const webUrl = `http://${HOST}:${webPort}`;
  const caches: CarbonCache[] = [];
  let web: TestChild | undefined;

  const stop = async () => {
    await Promise.all([web?.stop(), ...caches.map((c) => c.stop())]);
    if (process.env.KEEP_GRAPHITE_DIR) console.warn(`KEEP_GRAPHITE_DIR: kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  };

  const logs = () => [web?.output() ?? '', ...caches.map((c) => c.output())].join('\n');

  try {
    for (let i = 0; i < (opts.caches ?? 1); i++) {
      const instance = String.fromCharCode(97 + i);
      const [line, pickle, query] = ports.splice(0, 3) as [number, number, number];
      caches.push(new CarbonCache(instance, join(dir, `carbon-${instance}`), line, pickle, query, webPort, opts.schema));
    }

    const webDir = join(dir, 'web');
    mkdirSync(join(webDir, 'log'), { recursive: true });
    writeFileSync(
      join(webDir, 'statsite_e2e_graphite_settings.py'),
      webSettings(
        webDir,
        caches.map((c) => c.whisperDir),
        caches.map((c) => `${HOST}:${c.queryPort}:${c.instance}`),
      ),
    );
    const env = pythonEnv({ PYTHONPATH: webDir, GRAPHITE_SETTINGS_MODULE: 'statsite_e2e_graphite_settings' });

    // Creates the sqlite db (users, tag db) — graphite-web answers 500 without it.
    const migrate = new TestChild('graphite-manage migrate', PYTHON, [GRAPHITE_MANAGE, 'migrate', '--noinput', '--run-syncdb'], env);
    const timer = setTimeout(() => migrate.proc.kill('SIGKILL'), START_TIMEOUT_MS);
    await migrate.exited;
    clearTimeout(timer);
    if (migrate.proc.exitCode !== 0) throw new Error(`graphite-manage migrate failed\n${migrate.output()}`);

    web = new TestChild(
      'graphite-web',
      PYTHON,
      [GRAPHITE_MANAGE, 'runserver', `${HOST}:${webPort}`, '--noreload', '--insecure'],
      env,
    );
    await web.waitReady(
      async () => {
        try {
          return (await fetch(`${webUrl}/metrics/find?query=*`, { signal: AbortSignal.timeout(2000) })).ok;
        } catch {
          return false;
        }
      },
      `graphite-web on ${webUrl}`,
    );

    // After the web app: carbon registers tagged series with it.
    await Promise.all(caches.map((c) => c.start()));
  } catch (err) {
    // The error already carries the failing child's output.
    await stop();
    throw err;
  }

  const getJson = async <T>(path: string, params: Record<string, string | string[]>): Promise<T> => {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) for (const one of [v].flat()) qs.append(k, one);
    const url = `${webUrl}${path}?${qs}`;
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    const body = await res.text();
    if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}\n${body.slice(0, 2000)}`);
    return JSON.parse(body) as T;
  };

  const render = (target: string, from = '-5min') =>
    getJson<RenderSeries[]>('/render', { target, from, format: 'json', noCache: '1' });

  return {
    lineHost: HOST,
    linePort: caches[0]!.linePort,
    picklePort: caches[0]!.picklePort,
    webUrl,
    dir,
    caches,
    send: (lines, cache = 0) => sendLines(caches[cache]!.linePort, [lines].flat()),
    find: (query) => getJson<FindNode[]>('/metrics/find', { query }),
    render,
    values: async (target, from) =>
      (await render(target, from)).flatMap((s) => s.datapoints.map(([v]) => v).filter((v): v is number => v !== null)),
    findSeriesByTag: (...exprs) => getJson<string[]>('/tags/findSeries', { expr: exprs }),
    waitFor: (fn, timeoutMs = 10_000) =>
      poll(fn, { timeoutMs, intervalMs: 100, what: 'Graphite condition', detail: logs }),
    stopCarbon: async () => {
      await Promise.all(caches.map((c) => c.stop()));
    },
    startCarbon: async () => {
      await Promise.all(caches.map((c) => c.start()));
    },
    pauseCarbon: () => caches.forEach((c) => c.pause()),
    resumeCarbon: () => caches.forEach((c) => c.resume()),
    stop,
  };
}

/** freePort() may hand out a number again once it is released; we need n different ones. */
async function distinctFreePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

/** Writes plaintext lines (`name value timestamp`) over one TCP connection and closes it. */
function sendLines(port: number, lines: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: HOST, port }, () => {
      socket.end(lines.map((l) => `${l}\n`).join(''));
    });
    socket.setTimeout(5000, () => socket.destroy(new Error(`timeout sending to ${HOST}:${port}`)));
    socket.once('error', reject);
    socket.once('close', (hadError) => {
      if (!hadError) resolve();
    });
  });
}
