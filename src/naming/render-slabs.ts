// The slabs flush lines are rendered into (naming/line-bytes.ts), reused from one writer and one
// flush to the next instead of allocated afresh.
//
// A million-timer flush writes ~500 MB. Fresh 4 MiB slabs for it were freed behind the flush, and
// glibc raises its mmap threshold to the size of a freed mapping, so after the first few the slabs
// came from its brk heap, which shrinks only from the top: ~40 MB of RSS stayed for good after one
// big flush (bench/README.md, RSS around a big interval). A slab is therefore larger than the
// highest threshold glibc ever sets (32 MiB on 64-bit): each is a mapping of its own, returned to
// the kernel when it is dropped, and only the pages a flush wrote are resident.
//
// A slab handed out as views (take()) may be reused only once every view has been written out:
// writers count what they lend and the sink gives each view back from its write callback.

/** Bytes per slab: just above glibc's DEFAULT_MMAP_THRESHOLD_MAX (4 Mi × sizeof(long)). */
export const SLAB_BYTES = (32 << 20) + (1 << 20);
/** Free slabs kept between flushes: one being written out while the next is filled. */
const KEEP_FREE = 1;

interface Lending {
  slab: Buffer;
  /** Views of the slab not written out yet. */
  views: number;
  /** Its writer moved on (or finished): it returns to the pool when the last view comes back. */
  retired: boolean;
}

export class SlabPool {
  private free: Buffer[] = [];
  private readonly lendings = new WeakMap<ArrayBufferLike, Lending>();

  constructor(private readonly slabBytes = SLAB_BYTES) {}

  /** A slab for a writer, which hands it back with retire(). */
  acquire(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafe(this.slabBytes);
  }

  /** Counts `views` of `slab` handed to sinks: the slab is not written over until they come back. */
  lend(slab: Buffer, views = 1): void {
    const lending = this.lendings.get(slab.buffer);
    if (lending === undefined) this.lendings.set(slab.buffer, { slab, views, retired: false });
    else lending.views += views;
  }

  /** Whether `view` is of a slab lent out (and not of memory of its own). */
  lent(view: Uint8Array): boolean {
    return (this.lendings.get(view.buffer)?.views ?? 0) > 0;
  }

  /** A view from lend() is written out. Views of other memory are ignored. */
  giveBack(view: Uint8Array): void {
    const lending = this.lendings.get(view.buffer);
    if (lending === undefined || lending.views === 0) return;
    if (--lending.views === 0 && lending.retired) this.recycle(lending.slab);
  }

  /** The writer is done with `slab`: free now, or once its views are back. */
  retire(slab: Buffer): void {
    const lending = this.lendings.get(slab.buffer);
    if (lending === undefined || lending.views === 0) this.recycle(slab);
    else lending.retired = true;
  }

  /** Free slabs held now, for tests. */
  get freeCount(): number {
    return this.free.length;
  }

  /** Drops the free slabs (after a big interval: their pages are resident). */
  drop(): void {
    this.free = [];
  }

  private recycle(slab: Buffer): void {
    this.lendings.delete(slab.buffer);
    if (this.free.length < KEEP_FREE) this.free.push(slab);
  }
}

/** The process's render slabs. */
export const renderSlabs = new SlabPool();
