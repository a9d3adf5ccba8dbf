// Paces a big flush rendered on the ingest thread, so ingest loses nothing while it runs.
//
// Render loops yield between slices of series, but one turn of the event loop is not enough under
// load: libuv reads at most 32 datagrams per socket per turn, so a backlog can outgrow the kernel's
// buffer slice after slice. A turn that read a full batch means more are waiting, so the pacer
// keeps yielding until one does not, up to INGEST_SHARE of the thread, so that a flood that never
// ends still lets the flush finish. Measurements behind these numbers: bench/README.md.
//
// The datagram count below is the one piece of state ingest shares with the sinks: the UDP
// listeners count, render loops read.

import { setImmediate as nextTurn } from 'node:timers/promises';

/** libuv's limit on datagrams read from one socket in one turn of the loop. */
const DATAGRAMS_PER_TURN = 32;
/** Series rendered between two pauses (about 5 ms of work for timers). */
export const SERIES_PER_SLICE = 2000;
/** Ingest's share of the thread while a flush renders, at most. */
const INGEST_SHARE = 0.9;

let datagramsReceived = 0;

/** Counts a datagram; called by the UDP listeners. */
export function noteDatagram(): void {
  datagramsReceived++;
}

/** Datagrams read so far by this process's UDP listeners. */
export function datagramCount(): number {
  return datagramsReceived;
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
    this.restart();
  }

  /** The next slice starts now: the time since the last pause was not the render's (it waited for a sink). */
  restart(): void {
    this.sliceStartedAt = performance.now();
  }
}

/**
 * Runs a render loop to its end, pausing for ingest after each slice (after `afterSlice`, e.g.
 * handing the slice's lines on, which may return a wait for the sink to take them); stops with the
 * abort reason if `signal` aborts.
 */
export async function runPaced(slices: Iterable<void>, signal?: AbortSignal, afterSlice?: () => Promise<void> | undefined): Promise<void> {
  const pacer = new IngestFirstPacer();
  for (const _slice of slices) {
    const waiting = afterSlice?.();
    if (waiting !== undefined) {
      await waiting;
      pacer.restart();
    }
    await pacer.pause();
    signal?.throwIfAborted();
  }
}
