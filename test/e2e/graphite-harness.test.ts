// The Graphite harness by itself, no statsite-ts involved: plaintext lines
// into a real carbon-cache come back out of a real graphite-web, tagged
// series are findable, and carbon can be stopped and restarted in place.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeIfInstalled } from '../helpers/external-tools.js';
import { GRAPHITE, startGraphite, type Graphite } from '../helpers/graphite.js';

const now = () => Math.floor(Date.now() / 1000);

describeIfInstalled([GRAPHITE], 'graphite harness', () => {
  let g: Graphite;

  beforeAll(async () => {
    const t0 = Date.now();
    g = await startGraphite();
    console.log(`graphite started in ${Date.now() - t0} ms (line ${g.linePort}, web ${g.webUrl})`);
  });

  afterAll(async () => {
    await g?.stop();
  });

  it('stores a plaintext point and serves it from find and render', async () => {
    await g.send(`test.harness.a 42 ${now()}`);
    const nodes = await g.waitFor(async () => {
      const found = await g.find('test.harness.*');
      return found.length > 0 && found;
    });
    expect(nodes.map((n) => n.id)).toContain('test.harness.a');
    expect(nodes.find((n) => n.id === 'test.harness.a')?.leaf).toBe(1);
    await g.waitFor(async () => (await g.values('test.harness.a')).includes(42));
    expect(g.caches[0]!.series()).toContain('test.harness.a');
  });

  it('finds a tagged series by tag', async () => {
    await g.send(`test.harness.t;env=prod 7 ${now()}`);
    const series = await g.waitFor(async () => {
      const found = await g.findSeriesByTag('env=prod');
      return found.length > 0 && found;
    });
    expect(series).toEqual(['test.harness.t;env=prod']);
    await g.waitFor(async () => (await g.values("seriesByTag('env=prod')")).includes(7));
  });

  it('keeps data across a carbon restart on the same ports', async () => {
    await g.send(`test.harness.r 1 ${now()}`);
    await g.waitFor(async () => (await g.values('test.harness.r')).includes(1));

    await g.stopCarbon();
    expect(g.caches[0]!.running).toBe(false);
    await expect(g.send(`test.harness.r 2 ${now()}`)).rejects.toThrow(/ECONNREFUSED/);

    await g.startCarbon();
    expect(g.caches[0]!.running).toBe(true);
    await g.send(`test.harness.r 3 ${now()}`);
    await g.waitFor(async () => (await g.values('test.harness.r')).includes(3));
    // The point written before the outage survived it.
    expect(await g.values('test.harness.r')).toContain(1);
  });
});

describeIfInstalled([GRAPHITE], 'graphite harness with two carbon-caches', () => {
  let g: Graphite;

  beforeAll(async () => {
    g = await startGraphite({ caches: 2 });
  });

  afterAll(async () => {
    await g?.stop();
  });

  it('keeps each cache in its own storage and serves both from one graphite-web', async () => {
    const [a, b] = g.caches;
    expect(new Set([a!.linePort, b!.linePort, a!.queryPort, b!.queryPort]).size).toBe(4);
    await g.send(`test.two.x 5 ${now()}`, 0);
    await g.send(`test.two.y 6 ${now()}`, 1);
    await g.waitFor(async () => (await g.values('test.two.x')).includes(5) && (await g.values('test.two.y')).includes(6));
    expect(a!.series()).toEqual(['test.two.x']);
    expect(b!.series()).toEqual(['test.two.y']);
  });
});
