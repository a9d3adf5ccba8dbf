// Listeners → parser → aggregator for one config: the part of the server that turns bytes into
// a bucket. The server runs one; with ingest workers each worker runs its own (see src/cluster/).

import { Aggregator, type AggregatorSettings } from '../aggregate/aggregator.js';
import { precisionForError } from '../aggregate/hyperloglog.js';
import { createDefaultSketch } from '../aggregate/sketch.js';
import type { ServerConfig } from '../config/server-config.js';
import type { Logger } from '../log/logger.js';
import { RateLimitedLog } from '../log/rate-limited.js';
import { BINARY_MAGIC, BinaryParser } from '../protocol/binary-parser.js';
import { LineParser, type ParserOptions } from '../protocol/parser.js';
import type { Parsers } from '../protocol/parsers.js';
import { RejectCounter } from '../protocol/rejects.js';
import { IngestStats } from './ingest-stats.js';
import { Listeners } from './listeners.js';
import { RecentRejects } from './recent-rejects.js';

/** How much of a rejected line the log and the status page show. */
const SHOWN_LINE_BYTES = 200;
/** How much of a rejected binary message the log shows, in hex. */
const SHOWN_MESSAGE_BYTES = 64;

/**
 * `partial`: the bucket is one of several merged at flush (an ingest worker's). Gauges are then
 * carried over by whoever merges, not here, or a kept value would come back as a fresh write.
 */
export function aggregatorSettings(config: ServerConfig, partial = false): AggregatorSettings {
  return {
    histograms: config.histograms,
    setPrecision: precisionForError(config.setEps),
    newSketch: createDefaultSketch,
    keepGauges: config.keepGauges && !partial,
    maxSeries: config.limits.maxSeries,
  };
}

function parserOptions(config: ServerConfig): ParserOptions {
  return {
    inputCounter: config.inputCounter ?? undefined,
    nameTagFormats: config.nameTagFormats,
    maxKeyBytes: config.limits.maxKeyBytes,
    unusedSampleRate: config.unusedSampleRate,
  };
}

export class IngestPipeline {
  readonly stats = new IngestStats();
  readonly rejects: RejectCounter;
  readonly recentRejects = new RecentRejects();
  readonly aggregator: Aggregator;
  readonly parser: LineParser;
  readonly parsers: Parsers;
  readonly listeners: Listeners;

  constructor(
    private config: ServerConfig,
    log: Logger,
    private readonly partial = false,
  ) {
    const rejectLog = new RateLimitedLog(log, 'rejected malformed metric line');
    const binaryRejectLog = new RateLimitedLog(log, 'rejected malformed binary metric message');
    this.rejects = new RejectCounter((reason, buf, start, end) => {
      if (buf[start] === BINARY_MAGIC || reason.startsWith('binary_')) {
        const hex = () => buf.toString('hex', start, Math.min(end, start + SHOWN_MESSAGE_BYTES));
        binaryRejectLog.hit(() => ({ reason, message: hex() }));
        this.recentRejects.note(reason, hex);
      } else {
        const text = () => buf.toString('utf8', start, Math.min(end, start + SHOWN_LINE_BYTES));
        rejectLog.hit(() => ({ reason, line: text() }));
        this.recentRejects.note(reason, text);
      }
    });
    this.aggregator = new Aggregator(aggregatorSettings(config, partial));
    this.parser = new LineParser(this.aggregator, this.rejects, parserOptions(config));
    this.parsers = { lines: this.parser, binary: new BinaryParser(this.aggregator, this.rejects, this.parser) };
    this.listeners = new Listeners(this.parsers, this.stats, log, () => this.config.limits, partial);
  }

  /** Forgets the interned keys and shrinks their tables: after an interval far larger than the current one. */
  forgetKeys(): void {
    this.parser.keys.shrink();
  }

  /** Parsing and aggregation settings apply at once (the bucket is kept); listeners move if their address changed. */
  async reconfigure(next: ServerConfig): Promise<void> {
    this.config = next;
    this.aggregator.reconfigure(aggregatorSettings(next, this.partial));
    this.parser.options = parserOptions(next);
    await this.listeners.apply(next, false);
  }
}
