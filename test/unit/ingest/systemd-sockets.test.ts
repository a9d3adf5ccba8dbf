import { describe, expect, it } from 'vitest';
import { takeActivatedSockets } from '../../../src/ingest/systemd-sockets.js';

describe('takeActivatedSockets', () => {
  it('takes the descriptors from 3 on when LISTEN_PID is this process, and clears the variables', () => {
    const env = { LISTEN_PID: String(process.pid), LISTEN_FDS: '2', LISTEN_FDNAMES: 'a.socket:a.socket', PATH: '/bin' };
    expect(takeActivatedSockets(env)).toEqual([3, 4]);
    expect(env).toEqual({ PATH: '/bin' });
  });

  it('ignores sockets meant for another process, or none, and still clears the variables', () => {
    for (const env of [
      { LISTEN_PID: String(process.pid + 1), LISTEN_FDS: '2' },
      { LISTEN_PID: String(process.pid), LISTEN_FDS: '0' },
      { LISTEN_PID: String(process.pid), LISTEN_FDS: 'x' },
      { LISTEN_FDS: '1' },
      {},
    ] as NodeJS.ProcessEnv[]) {
      expect(takeActivatedSockets(env)).toBeNull();
      expect(env).toEqual({});
    }
  });
});
