// The Node ceiling on this machine: a dgram socket that only counts the newlines it receives.
// Any Node StatsD server pays at least this per datagram, so statsite-ts is reported against it.
//
//   node bench/bare-socket.mjs PORT [INTERVAL_MS]
//
// Every INTERVAL_MS it prints `count N` (lines since the last print), like a flush, so the bench
// counts its lines the same way as a real server's; on SIGTERM it prints the rest and
// `total N`, and exits.

import { createSocket } from 'node:dgram';

const port = Number(process.argv[2]);
const intervalMs = Number(process.argv[3] ?? 1000);
const NL = 0x0a;

let lines = 0;
let total = 0;
const socket = createSocket({ type: 'udp4', recvBufferSize: 32 * 1024 * 1024 });
socket.on('message', (msg) => {
  // indexOf runs in native code; a JS byte loop would make this "ceiling" lower than it is.
  for (let at = msg.indexOf(NL); at !== -1; at = msg.indexOf(NL, at + 1)) lines++;
});
socket.bind(port, '127.0.0.1');

function report() {
  total += lines;
  if (lines > 0) process.stdout.write(`count ${lines}\n`);
  lines = 0;
}

const timer = setInterval(report, intervalMs);
process.once('SIGTERM', () => {
  clearInterval(timer);
  report();
  process.stdout.write(`total ${total}\n`);
  socket.close();
});
