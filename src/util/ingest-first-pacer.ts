// Paces a big flush rendered on the ingest thread, so ingest loses nothing while it runs.
//
// Render loops yield between slices of series, but one turn of the event loop is not enough under
// load: libuv reads at most 32 datagrams per socket per turn. At 100k datagrams/s a 5 ms slice
// lets ~500 arrive while a turn reads 32, so the backlog grew slice after slice until the kernel
// dropped (39% of the lines at half the peak rate during a million-timer flush). A turn that read
// a full batch means more are waiting, so the pacer keeps yielding until one does not, up to
// INGEST_SHARE of the thread: a flood that never ends still lets the flush finish. (0.8 was not
// enough: 2M lines/s, half the peak, took 80–90% of a core, since below its peak the server reads
// fewer datagrams per wakeup, and 1–18% were lost while a million timers went to Graphite.)

import { setImmediate as nextTurn } from 'node:timers/promises';

/** libuv's limit on datagrams read from one socket in one turn of the loop. */
const DATAGRAMS_PER_TURN = 32;
/** Ingest's share of the thread while a flush renders, at most. */
const INGEST_SHARE = 0.9;

let datagramsReceived = 0;

/** Counts a datagram; called by the UDP listeners. */
export function noteDatagram(): void {
  datagramsReceived++;
}

/** One per render loop: call pause() between slices. */
export class IngestFirstPacer {
  private sliceStartedAt = performance.now();

  constructor(private readonly ingestShare = INGEST_SHARE) {}

  async pause(): Promise<void> {
    const now = performance.now();
    const ingestUntil = now + ((now - this.sliceStartedAt) * this.ingestShare) / (1 - this.ingestShare);
    for (let turn = 0; ; turn++) {
      const before = datagramsReceived;
      await nextTurn();
      // The first turn may not count: resumed from an I/O callback (a sink's 'drain'), the
      // immediate runs in the same loop iteration, before the sockets are polled again.
      if (turn > 0 && (datagramsReceived - before < DATAGRAMS_PER_TURN || performance.now() >= ingestUntil)) break;
    }
    this.sliceStartedAt = performance.now();
  }
}

/**
 * Runs a render loop to its end, pausing for ingest after each slice (after `afterSlice`, e.g.
 * handing the slice's lines on); stops with the abort reason if `signal` aborts.
 */
export async function runPaced(slices: Iterable<void>, signal?: AbortSignal, afterSlice?: () => void): Promise<void> {
  const pacer = new IngestFirstPacer();
  for (const _slice of slices) {
    afterSlice?.();
    await pacer.pause();
    signal?.throwIfAborted();
  }
}
