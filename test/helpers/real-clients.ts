// Real StatsD client libraries, as apps use them: python3-statsd (Debian) and hot-shots (npm).

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import StatsD from 'hot-shots';
import { testDeps, type ExternalTool } from './external-tools.js';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';

/** Debian's python3-statsd, for runPythonStatsd (a python3 earlier on PATH may lack it). */
export const PYTHON_STATSD: ExternalTool = {
  name: 'python3-statsd',
  files: [PYTHON, '/usr/lib/python3/dist-packages/statsd'],
  install: testDeps('python3-statsd'),
};

/** Runs a python3-statsd snippet with `port` bound; the snippet uses the `statsd` module. */
export async function runPythonStatsd(port: number, body: string): Promise<void> {
  const env = { ...process.env };
  delete env.PYTHONPATH; // Debian's module, not a pyenv one
  delete env.PYTHONHOME;
  await run(PYTHON, ['-c', `import statsd\nport = ${port}\n${body}`], { env, timeout: 10_000 });
}

type HotShots = InstanceType<typeof StatsD>;

/** A hot-shots client over UDP; close it with `closeHotShots`. */
export function hotShots(port: number, options: Partial<ConstructorParameters<typeof StatsD>[0]> = {}): HotShots {
  return new StatsD({ host: '127.0.0.1', port, protocol: 'udp', maxBufferSize: 0, ...options });
}

export function closeHotShots(client: HotShots): Promise<void> {
  return new Promise((resolve) => client.close(() => resolve()));
}
