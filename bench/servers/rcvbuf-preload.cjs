// Preloaded into etsy statsd (`node -r`): etsy creates its UDP socket with the OS default receive
// buffer; the bench gives every server the same 32 MiB (capped by net.core.rmem_max), so this
// passes recvBufferSize to dgram.createSocket without touching etsy's code.

const dgram = require('node:dgram');

const RCVBUF = 32 * 1024 * 1024;
const createSocket = dgram.createSocket;
dgram.createSocket = function createSocketWithBuffer(type, listener) {
  const options = typeof type === 'string' ? { type } : { ...type };
  options.recvBufferSize ??= RCVBUF;
  return createSocket.call(this, options, listener);
};
