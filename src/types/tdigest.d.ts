// Minimal typings for the parts of `tdigest` (no bundled types) that src/aggregate/sketch.ts uses.
declare module 'tdigest' {
  export interface Centroid {
    mean: number;
    n: number;
  }
  export class TDigest {
    constructor(delta?: number | false, K?: number, CX?: number);
    n: number;
    push(x: number | number[], n?: number): void;
    push_centroid(c: Centroid | Centroid[]): void;
    percentile(p: number): number | undefined;
    toArray(everything?: boolean): Centroid[];
    compress(): void;
    size(): number;
  }
  const tdigest: { TDigest: typeof TDigest };
  export default tdigest;
}
