// Every rejected line (or binary message) is counted by reason; the counts feed self-metrics and the logs.

export type RejectReason =
  | 'empty_key'
  | 'key_too_long'
  | 'missing_value'
  | 'empty_value'
  | 'missing_type'
  | 'unknown_type'
  | 'bad_value'
  | 'bad_sample_rate'
  | 'sample_rate_not_allowed'
  | 'bad_option'
  | 'line_too_long'
  | 'newline_in_key'
  | 'binary_missing_magic'
  | 'binary_unknown_type'
  | 'binary_unterminated_key'
  | 'binary_unterminated_member'
  | 'binary_truncated';

/** Receives the raw bytes of the rejected line; decoding is left to it, so a suppressed log costs nothing. */
export interface RejectListener {
  (reason: RejectReason, buf: Buffer, start: number, end: number): void;
}

export class RejectCounter {
  readonly byReason = new Map<RejectReason, number>();
  total = 0;

  /** `onReject` is called for every rejection; it should rate-limit its own logging. */
  constructor(private readonly onReject?: RejectListener) {}

  reject(reason: RejectReason, buf: Buffer, start: number, end: number): void {
    this.total++;
    this.byReason.set(reason, (this.byReason.get(reason) ?? 0) + 1);
    this.onReject?.(reason, buf, start, end);
  }
}
