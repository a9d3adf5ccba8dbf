// Owns the current bucket. Samples go into it; swap() hands the finished bucket to the flush and
// starts a fresh one, so ingest never waits for a flush or a sink.

import type { SampleHandler } from '../model/sample-handler.js';
import { Bucket, type BucketSettings } from './bucket.js';

export interface AggregatorSettings extends BucketSettings {
  /** Carry gauges into the next interval (statsite resets them; so do we unless asked). */
  keepGauges: boolean;
}

export class Aggregator implements SampleHandler {
  private bucket: Bucket;

  constructor(private settings: AggregatorSettings) {
    this.bucket = new Bucket(settings);
  }

  counter(key: string, value: number, sampleRate: number, keyId?: number, keyGeneration?: number): void {
    this.bucket.counter(key, value, sampleRate, keyId, keyGeneration);
  }

  timer(key: string, value: number, sampleRate: number, keyId?: number, keyGeneration?: number, unitless?: boolean): void {
    this.bucket.timer(key, value, sampleRate, keyId, keyGeneration, unitless);
  }

  gauge(key: string, value: number, isDelta: boolean, keyId?: number, keyGeneration?: number): void {
    this.bucket.gauge(key, value, isDelta, keyId, keyGeneration);
  }

  set(key: string, member: Uint8Array | string, keyId?: number, keyGeneration?: number): void {
    this.bucket.set(key, member, keyId, keyGeneration);
  }

  kv(key: string, value: number, keyId?: number, keyGeneration?: number): void {
    this.bucket.kv(key, value, keyId, keyGeneration);
  }

  /** The bucket being filled, for read-only views (etsy's management `counters` command). */
  current(): Bucket {
    return this.bucket;
  }

  /** Takes effect at the next swap, so the current bucket is never dropped. */
  reconfigure(settings: AggregatorSettings): void {
    this.settings = settings;
  }

  swap(): Bucket {
    const finished = this.bucket;
    this.bucket = new Bucket(this.settings);
    if (this.settings.keepGauges) {
      for (const [key, gauge] of finished.gauges) this.bucket.gauge(key, gauge.value, false);
    }
    return finished;
  }
}
