// Prometheus remote write 1.0: a WriteRequest (prompb's remote.proto and types.proto) encoded as
// protobuf and snappy block-compressed, with the headers a receiver checks. The schema is only the
// four messages remote write 1.0 needs, declared through protobufjs's reflection API with prompb's
// field numbers, so the wire format comes from protobufjs rather than hand-written varints.

import protobuf from 'protobufjs';
import { compress, uncompress } from 'snappyjs';

export interface Label {
  name: string;
  value: string;
}

export interface TimeSeries {
  /** Sorted by name, `__name__` among them (the protocol asks receivers to expect that order). */
  labels: Label[];
  /** `timestamp` in unix milliseconds. */
  samples: Array<{ value: number; timestamp: number }>;
}

export const REMOTE_WRITE_HEADERS: Record<string, string> = {
  'content-type': 'application/x-protobuf',
  'content-encoding': 'snappy',
  'x-prometheus-remote-write-version': '0.1.0',
};

const WriteRequest = protobuf.Root.fromJSON({
  nested: {
    prometheus: {
      nested: {
        WriteRequest: { fields: { timeseries: { rule: 'repeated', type: 'TimeSeries', id: 1 } } },
        TimeSeries: {
          fields: {
            labels: { rule: 'repeated', type: 'Label', id: 1 },
            samples: { rule: 'repeated', type: 'Sample', id: 2 },
          },
        },
        Label: { fields: { name: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
        Sample: { fields: { value: { type: 'double', id: 1 }, timestamp: { type: 'int64', id: 2 } } },
      },
    },
  },
}).lookupType('prometheus.WriteRequest');

/** One request body: the series as a WriteRequest, snappy-compressed (block format, not framed). */
export function encodeWriteRequest(timeseries: TimeSeries[]): Uint8Array {
  return compress(WriteRequest.encode({ timeseries }).finish());
}

/** The inverse, for tests: what a receiver reads from a body. */
export function decodeWriteRequest(body: Uint8Array): { timeseries: TimeSeries[] } {
  const message = WriteRequest.decode(uncompress(body));
  return WriteRequest.toObject(message, { longs: Number, defaults: true }) as { timeseries: TimeSeries[] };
}
