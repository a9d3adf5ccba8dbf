// ServerSignals without a process to signal: a SIGHUP that comes while the server is still
// starting — held by bin/statsite-ts while the program loads, or caught after the hand-over — is
// applied once, when the server is up. The e2e test (test/e2e/signals.test.ts) cannot force
// this path any more: the program loads synchronously, so Node may hand a real signal over only
// after the server is up.

import { afterEach, describe, expect, it } from 'vitest';
import { HANDLED_SIGNALS, ServerSignals } from '../../../src/cli/signals.js';
import type { Logger } from '../../../src/log/logger.js';

const ours: Array<[NodeJS.Signals, (...args: unknown[]) => void]> = [];

/** A ServerSignals whose process listeners are removed after the test, and what it logged. */
function serverSignals(held: NodeJS.Signals[] = []): { signals: ServerSignals; logged: string[] } {
  const before = new Map(HANDLED_SIGNALS.map((s) => [s, new Set(process.listeners(s))]));
  const signals = new ServerSignals({ held, hold: () => undefined });
  for (const s of HANDLED_SIGNALS) {
    const added = process.listeners(s).filter((listener) => !before.get(s)!.has(listener));
    for (const listener of added) ours.push([s, listener as (...args: unknown[]) => void]);
  }
  const logged: string[] = [];
  const record = (...args: unknown[]) => logged.push(String(args.at(-1)));
  signals.logTo({ info: record, warn: record } as unknown as Logger);
  return { signals, logged };
}

afterEach(() => {
  for (const [s, listener] of ours.splice(0)) process.off(s, listener);
});

describe('a SIGHUP during start-up', () => {
  it('held while the program loaded: applied once the server is running', () => {
    const { signals, logged } = serverSignals(['SIGHUP']);
    let reloads = 0;
    signals.running(() => reloads++);
    expect(reloads).toBe(1);
    expect(logged).toEqual(['applying the SIGHUP that came during start-up']);
  });

  it('caught after the hand-over, before the server is up: applied once it is, and later ones at once', () => {
    const { signals, logged } = serverSignals();
    process.emit('SIGHUP', 'SIGHUP');
    process.emit('SIGHUP', 'SIGHUP');
    let reloads = 0;
    signals.running(() => reloads++);
    expect(reloads).toBe(1);
    expect(logged).toEqual(['applying the SIGHUP that came during start-up']);
    process.emit('SIGHUP', 'SIGHUP');
    expect(reloads).toBe(2);
  });

  it('none came: nothing is reloaded at start', () => {
    const { signals, logged } = serverSignals();
    let reloads = 0;
    signals.running(() => reloads++);
    expect(reloads).toBe(0);
    expect(logged).toEqual([]);
  });
});
