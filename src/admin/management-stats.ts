// What the management endpoint (admin/management.ts) counted, kept by the server so that /stats
// can read it whether or not the endpoint is configured (and loaded).

export class ManagementStats {
  commands = 0;
  /** Commands refused: state changes while management_write is off, unknown or too long commands, floods. */
  refused = 0;
}
