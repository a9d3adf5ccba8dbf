// A real systemd booted as PID 1 of private pid/mount/uts/cgroup namespaces (systemd-boot.sh,
// the recipe in ../shared/notes/systemd.md), for e2e tests that install and run the server as an
// operator would: real systemctl, journalctl and unit files, nothing reaching the host.
//
//   SYSTEMD: ExternalTool
//   SystemdSandbox.boot(keep): Promise<SystemdSandbox>   `keep`: a host folder under /tmp seen inside
//   sandbox.run(script, env?): Promise<Result>            bash -c SCRIPT inside, as root
//   sandbox.journal(unit): Promise<JournalEntry[]>        journalctl -u UNIT -o json
//   sandbox.shutdown(): Promise<void>                     poweroff, by pid; removes what systemd
//                                                         left in the host's cgroup tree

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testDeps, type ExternalTool } from './external-tools.js';
import { waitFor } from './wait.js';

const BOOT = fileURLToPath(new URL('./systemd-boot.sh', import.meta.url));
const NSENTER = '/usr/bin/nsenter';
/** The host's cgroup v2 tree, where the namespace's cgroup root is (this process's cgroup is "/"). */
const CGROUP2 = ['/sys/fs/cgroup/unified', '/sys/fs/cgroup'].find((dir) => existsSync(join(dir, 'cgroup.procs'))) ?? '/sys/fs/cgroup';

export const SYSTEMD: ExternalTool = {
  name: 'systemd as PID 1 (systemd, unshare, nsenter)',
  files: ['/lib/systemd/systemd', '/usr/bin/systemctl', '/usr/bin/unshare', NSENTER],
  install: testDeps('systemd'),
};

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export interface JournalEntry {
  PRIORITY: string;
  MESSAGE: string;
  SYSLOG_IDENTIFIER?: string;
  _PID?: string;
  __REALTIME_TIMESTAMP: string;
}

/** The pids of `pid`'s children. */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function cgroupDirs(): Set<string> {
  return new Set(readdirSync(CGROUP2, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name));
}

/** Removes a cgroup directory and its empty children, deepest first (rmdir fails on a busy one). */
function removeCgroup(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) removeCgroup(join(dir, entry.name));
  rmdirSync(dir);
}

export class SystemdSandbox {
  private output = '';

  private constructor(
    private readonly unshare: ChildProcess,
    /** The namespace's PID 1 as the host sees it. */
    readonly pid: number,
    private readonly cgroupsBefore: Set<string>,
  ) {
    unshare.stdout!.on('data', (d: Buffer) => (this.output += d.toString('utf8')));
    unshare.stderr!.on('data', (d: Buffer) => (this.output += d.toString('utf8')));
  }

  /** Boots systemd and waits until it is running; `keep` (under /tmp) stays visible inside. */
  static async boot(keep: string): Promise<SystemdSandbox> {
    const scratch = join(keep, '.systemd-scratch');
    mkdirSync(scratch, { recursive: true });
    const cgroupsBefore = cgroupDirs();
    const unshare = spawn(
      '/usr/bin/unshare',
      ['--fork', '--pid', '--mount-proc', '--mount', '--uts', '--cgroup', '--propagation', 'private', '/bin/bash', BOOT, scratch, keep],
      { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let log = '';
    unshare.stderr.on('data', (d: Buffer) => (log += d.toString('utf8')));
    const pid = await waitFor(() => {
      if (unshare.exitCode !== null) throw new Error(`the systemd namespace could not be set up:\n${log}`);
      return childrenOf(unshare.pid!)[0];
    }, { what: 'the namespace\'s PID 1' });
    const sandbox = new SystemdSandbox(unshare, pid, cgroupsBefore);
    await waitFor(async () => {
      if (unshare.exitCode !== null) throw new Error(`systemd exited while booting:\n${log}${sandbox.output}`);
      const state = (await sandbox.run('systemctl is-system-running')).stdout.trim();
      return state === 'running' || state === 'degraded';
    }, { timeoutMs: 30_000, intervalMs: 200, what: 'systemd to boot', detail: () => log });
    return sandbox;
  }

  /** Runs `bash -c script` inside every namespace of the sandbox, as root. */
  run(script: string, env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Promise<Result> {
    return new Promise((resolve) => {
      execFile(
        NSENTER,
        ['-t', String(this.pid), '-a', '/bin/bash', '-c', script],
        { env: { ...process.env, SYSTEMD_PAGER: '', SYSTEMD_COLORS: '0', ...env }, timeout: timeoutMs, maxBuffer: 64 << 20 },
        (err, stdout, stderr) => resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr }),
      );
    });
  }

  /** Runs a script that must succeed; throws with its output otherwise. */
  async must(script: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
    const r = await this.run(script, env);
    if (r.code !== 0) throw new Error(`inside systemd, exit ${r.code}: ${script}\n${r.stdout}${r.stderr}`);
    return r.stdout;
  }

  async journal(unit: string): Promise<JournalEntry[]> {
    const out = await this.must(`journalctl -u ${unit} -o json --no-pager`);
    return out.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as JournalEntry);
  }

  /** Powers the sandbox off (SIGKILL past a bound) and removes the cgroups systemd made in the host's tree. */
  async shutdown(): Promise<void> {
    if (this.unshare.exitCode === null) {
      // Through the manager: `systemctl poweroff` asks logind first, which the sandbox does not run.
      await this.run('systemctl start --no-block --job-mode=replace-irreversibly poweroff.target');
      const gone = await waitFor(() => this.unshare.exitCode !== null || this.unshare.signalCode !== null, { timeoutMs: 20_000 })
        .catch(() => false);
      if (!gone) {
        process.kill(this.pid, 'SIGKILL');
        await waitFor(() => this.unshare.exitCode !== null || this.unshare.signalCode !== null, { what: 'the sandbox to die' });
      }
    }
    for (const dir of this.leftCgroups()) removeCgroup(join(CGROUP2, dir));
  }

  /** The host's cgroup directories the sandbox's systemd made (its scopes and slices; none after shutdown). */
  leftCgroups(): string[] {
    return [...cgroupDirs()].filter((dir) => !this.cgroupsBefore.has(dir) && /\.(scope|slice)$/.test(dir));
  }
}
