// A SampleHandler that writes down every sample it gets, as [type, key, …values], for parser tests.

import type { SampleHandler } from '../../src/model/sample-handler.js';

export type Call = [string, string, ...unknown[]];

/**
 * Counters as ['c', key, value, rate], timers ['ms', …] (['h', …] when unitless: h, d), gauges ['g', key, value, isDelta],
 * sets ['s', key, member as latin-1], kv ['kv', key, value].
 */
export function recordingHandler(): { handler: SampleHandler; calls: Call[] } {
  const calls: Call[] = [];
  const handler: SampleHandler = {
    counter: (k, v, r) => calls.push(['c', k, v, r]),
    timer: (k, v, r, _id, _generation, unitless) => calls.push([unitless === true ? 'h' : 'ms', k, v, r]),
    gauge: (k, v, d) => calls.push(['g', k, v, d]),
    set: (k, m) => calls.push(['s', k, typeof m === 'string' ? m : Buffer.from(m).toString('latin1')]),
    kv: (k, v) => calls.push(['kv', k, v]),
  };
  return { handler, calls };
}
