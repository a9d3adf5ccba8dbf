// An etsy statsd backend for the bench: at every flush it prints one line with the sums the bench
// needs (counter values and timer counts per key prefix), instead of the console backend's
// util.inspect dump of every key, which would cost etsy more per flush and is awkward to parse.
//   flush {"counters":{"k":20000},"timers":{}}
// Keys are grouped by the letters before their trailing number (`k17` -> `k`); statsd's own
// counters (statsd.packets_received, ...) do not match and are left out.

const KEY = /^([a-z]+)\d+$/;

function sums(table) {
  const out = {};
  for (const key in table) {
    const m = KEY.exec(key);
    if (m !== null && table[key] !== 0) out[m[1]] = (out[m[1]] || 0) + table[key];
  }
  return out;
}

exports.init = function init(startupTime, config, events) {
  events.on('flush', (timestamp, metrics) => {
    const line = { counters: sums(metrics.counters), timers: sums(metrics.timer_counters) };
    process.stdout.write('flush ' + JSON.stringify(line) + '\n');
  });
  return true;
};
