/** What the listeners have seen, for self-metrics and the admin view. */
export class IngestStats {
  udpDatagrams = 0;
  udpBytes = 0;
  udpLines = 0;
  tcpBytes = 0;
  tcpLines = 0;
  tcpConnections = 0;
  tcpConnectionsOpen = 0;
  /** Connections closed at once because tcp_max_connections were open. */
  tcpRefused = 0;
  /** Connections the kernel had for us that could not be accepted (EMFILE: out of file descriptors). */
  tcpAcceptErrors = 0;
  /** Connections closed after tcp_idle_timeout without data. */
  tcpIdleClosed = 0;
  /** Connections closed at a malformed binary message (its reason is among the parse errors). */
  tcpBinaryFaultsClosed = 0;
  stdinLines = 0;
}
