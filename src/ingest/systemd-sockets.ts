// Socket activation (sd_listen_fds(3)): under a `.socket` unit, systemd binds the ports itself and
// passes them to the service as file descriptors 3, 4, … with LISTEN_FDS (how many) and
// LISTEN_PID (for whom). The kernel keeps queuing datagrams and accepting connections on them
// while the service restarts, so a restart loses no datagram.

/** The first descriptor systemd passes (SD_LISTEN_FDS_START). */
const FIRST_FD = 3;

/**
 * The descriptors systemd passed to this process; null when it is not socket-activated. The
 * variables are taken out of the environment, as sd_listen_fds(1) does, so that no child (a stream
 * sink's command) takes the sockets for its own.
 */
export function takeActivatedSockets(env: NodeJS.ProcessEnv = process.env): number[] | null {
  const { LISTEN_PID: pid, LISTEN_FDS: count } = env;
  delete env.LISTEN_PID;
  delete env.LISTEN_FDS;
  delete env.LISTEN_FDNAMES;
  // Meant for another process (one that exec'd us without clearing them): not ours.
  if (pid !== String(process.pid) || count === undefined) return null;
  const n = Number(count);
  if (!Number.isInteger(n) || n < 1) return null;
  return Array.from({ length: n }, (_, i) => FIRST_FD + i);
}
