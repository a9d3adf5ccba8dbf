// Our stdout as a stream that never blocks the event loop. Node makes process.stdout synchronous
// when it is a pipe or a file, so a slow reader (a log shipper, `| head`) would stall every socket
// while a big flush is written. For pipes and sockets a non-blocking net.Socket on fd 1 queues
// instead; for files, an fs stream writes from the thread pool. A terminal keeps process.stdout.

import { createWriteStream, fstatSync } from 'node:fs';
import { Socket } from 'node:net';
import type { Writable } from 'node:stream';

const STDOUT_FD = 1;
let stream: Writable | null = null;

export function stdoutStream(): Writable {
  if (stream !== null) return stream;
  let kind: 'pipe' | 'file' | 'other' = 'other';
  try {
    const st = fstatSync(STDOUT_FD);
    kind = st.isFIFO() || st.isSocket() ? 'pipe' : st.isFile() ? 'file' : 'other';
  } catch {
    // closed or odd: fall back to process.stdout
  }
  if (kind === 'pipe') stream = new Socket({ fd: STDOUT_FD, readable: false, writable: true });
  else if (kind === 'file') stream = createWriteStream('', { fd: STDOUT_FD, autoClose: false });
  else stream = process.stdout;
  // A reader that went away (EPIPE) must not crash the server; the sink reports the failure.
  stream.on('error', () => undefined);
  return stream;
}
