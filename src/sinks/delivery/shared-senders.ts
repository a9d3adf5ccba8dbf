// Senders shared by the sinks that deliver to the same place. A reload builds its new sinks while
// the old ones still run; a Graphite sink whose destination and spool did not change must not
// get a second sender on the same spool directory (two writers would send and delete each other's
// segments). So a sender is acquired by key — destination and queue — and the new sink gets the
// running one, with its connection, queue and resend window; it closes when its last user lets go.

/** What a shared sender must offer for its last user to close it. */
export interface Closable {
  /** Resolves true once everything queued is sent, false when `timeoutMs` passed first. */
  idle(timeoutMs: number): Promise<boolean>;
  close(): void | Promise<void>;
}

export class SharedSenders<S extends Closable> {
  private readonly entries = new Map<string, { sender: S; users: number }>();

  /** The running sender for `key`, or a new one from `create`; each acquire needs a release. */
  acquire(key: string, create: () => S): S {
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      entry.users++;
      return entry.sender;
    }
    const sender = create();
    this.entries.set(key, { sender, users: 1 });
    return sender;
  }

  /** Lets go of `key`; the last user gives the sender `timeoutMs` to send what it holds, then closes it. */
  async release(key: string, timeoutMs: number): Promise<void> {
    const entry = this.entries.get(key);
    if (entry === undefined || --entry.users > 0) return;
    await entry.sender.idle(timeoutMs);
    // Acquired again while it drained (a reload right after another): it stays.
    if (entry.users > 0) return;
    this.entries.delete(key);
    await entry.sender.close();
  }
}
