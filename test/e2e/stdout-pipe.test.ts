// The stdout sink's stream on a pipe (src/sinks/stdout/stdout-stream.ts) lets a flush run ahead of
// a slow reader by up to 16 MiB: with the default high-water mark, rendering stopped after every
// slice until the reader had emptied the pipe. Run in a child whose stdout is a pipe nobody reads.

import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const STREAM = join(dirname(fileURLToPath(import.meta.url)), '../../dist/sinks/stdout/stdout-stream.js');

const CHILD = `
const { stdoutStream } = await import(${JSON.stringify(STREAM)});
const out = stdoutStream();
const answers = [];
for (let i = 0; i < 12; i++) answers.push(out.write(Buffer.alloc(1 << 20, 0x61)));
process.stderr.write(JSON.stringify({ highWaterMark: out.writableHighWaterMark, answers }) + '\\n');
process.exit(0);
`;

describe('stdout on a pipe', () => {
  it('takes 12 MiB from a flush without asking it to wait, while nothing reads', async () => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pause(); // the reader that falls behind
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    await new Promise((resolve) => child.once('exit', resolve));
    const { highWaterMark, answers } = JSON.parse(stderr.trim()) as { highWaterMark: number; answers: boolean[] };
    expect(highWaterMark).toBe(16 << 20);
    expect(answers.every((a) => a)).toBe(true);
  });
});
