// Turning pino's JSON records into one text line, for journald and for people at a terminal.
// journald: `<PRIORITY>message key=value …` — the `<N>` prefix (sd-daemon(3)) sets the journal's
// priority, so `journalctl -p warning` works; one line per event, no colours.

const PRIORITY: Record<number, number> = { 10: 7, 20: 7, 30: 6, 40: 4, 50: 3, 60: 2 };
const LEVEL_NAME: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const COLOR: Record<number, string> = { 10: '90', 20: '90', 30: '32', 40: '33', 50: '31', 60: '35' };
// Fields pino adds that the journal (or the terminal) already shows.
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'msg']);

function fields(record: Record<string, unknown>): string {
  let out = '';
  for (const [key, value] of Object.entries(record)) {
    if (HIDDEN.has(key) || value === undefined) continue;
    const text = typeof value === 'string' ? (/^[^\s"=]+$/.test(value) ? value : JSON.stringify(value)) : JSON.stringify(value);
    out += ` ${key}=${text}`;
  }
  return out;
}

export function journaldLine(record: Record<string, unknown>): string {
  const level = Number(record.level);
  // Newlines would split one event into several journal entries.
  const message = String(record.msg ?? '').replace(/\n/g, ' ');
  return `<${PRIORITY[level] ?? 6}>${message}${fields(record).replace(/\n/g, ' ')}\n`;
}

export function prettyLine(record: Record<string, unknown>): string {
  const level = Number(record.level);
  const time = typeof record.time === 'string' ? record.time.slice(11, 23) : new Date().toISOString().slice(11, 23);
  const name = (LEVEL_NAME[level] ?? 'INFO').padEnd(5);
  return `${time} \x1b[${COLOR[level] ?? '0'}m${name}\x1b[0m ${String(record.msg ?? '')}${fields(record)}\n`;
}
