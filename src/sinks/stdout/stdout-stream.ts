// Our stdout as a stream that never blocks the event loop. Node makes process.stdout synchronous
// when it is a pipe or a file, so a slow reader (a log shipper, `| head`) would stall every socket
// while a big flush is written. For pipes and sockets a non-blocking net.Socket on fd 1 queues
// instead; for files, an fs stream writes from the thread pool. A terminal keeps process.stdout.

import { createWriteStream, fstatSync } from 'node:fs';
import { Socket, type SocketConstructorOpts } from 'node:net';
import type { DuplexOptions, Writable } from 'node:stream';

const STDOUT_FD = 1;
/**
 * Bytes a flush may have written but the reader not yet taken before the render waits for it. A
 * pipe holds 64 KiB: with the default high-water mark the render stopped after every slice until
 * the reader had emptied it, and rendering and reading took turns instead of overlapping.
 */
const IN_FLIGHT_BYTES = 16 << 20;
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
  if (kind === 'pipe') {
    // net.Socket hands its options on to the stream it is, which its typings leave out.
    const options: SocketConstructorOpts & DuplexOptions = { fd: STDOUT_FD, writable: true, writableHighWaterMark: IN_FLIGHT_BYTES };
    stream = new Socket({ ...options, readable: false });
  } else if (kind === 'file') {
    stream = createWriteStream('', { fd: STDOUT_FD, autoClose: false });
  } else {
    stream = process.stdout;
  }
  // A reader that went away (EPIPE) must not crash the server; the sink reports the failure.
  stream.on('error', () => undefined);
  return stream;
}
