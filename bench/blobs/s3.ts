import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { BlobStore } from '../../src/blobs/blob-store';
import { FsBlobStore } from '../../src/blobs/fs-blob-store';
import { startVersitygw } from '../../test/harness/versitygw';

/**
 * Puts one large blob (1 GiB by default) into the S3 blob store on a real S3 server (Versity's gateway on its POSIX
 * backend, loopback) and reads it back whole, hashing it; the same on the directory store for comparison. RSS of
 * this process is sampled throughout: it must not grow with the size of the blob. Prints one JSON line.
 *   npm run bench:blobs -- --mib 1024
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { mib: { type: 'string', default: '1024' } } });
  const mib = Number(values.mib);
  const block = randomBytes(1024 * 1024);
  const content = async function* (): AsyncGenerator<Buffer> {
    // A fresh copy per MiB, as a download would deliver, with its position written in so no two MiB are alike.
    for (let i = 0; i < mib; i++) {
      const chunk = Buffer.from(block);
      chunk.writeUInt32BE(i, 0);
      yield chunk;
    }
  };
  const expected = createHash('sha256');
  for await (const chunk of content()) expected.update(chunk);
  const sha256 = expected.digest('hex');

  let peakRss = 0;
  const sample = (): void => void (peakRss = Math.max(peakRss, process.memoryUsage.rss()));
  const measure = async <T>(work: () => Promise<T>): Promise<{ result: T; seconds: number; peakRssMb: number }> => {
    global.gc?.();
    peakRss = process.memoryUsage.rss();
    const timer = setInterval(sample, 20);
    const started = performance.now();
    try {
      const result = await work();
      sample();
      return { result, seconds: (performance.now() - started) / 1000, peakRssMb: Math.round(peakRss / 2 ** 20) };
    } finally {
      clearInterval(timer);
    }
  };
  const roundTrip = async (store: BlobStore) => {
    const put = await measure(() => store.put(content()));
    if (put.result.sha256 !== sha256 || put.result.size !== mib * 2 ** 20) throw new Error('put stored other bytes');
    const get = await measure(async () => {
      const hash = createHash('sha256');
      for await (const chunk of await store.get(put.result)) hash.update(chunk as Buffer);
      return hash.digest('hex');
    });
    if (get.result !== sha256) throw new Error('get returned other bytes');
    return {
      putSeconds: Number(put.seconds.toFixed(2)),
      putMiBps: Math.round(mib / put.seconds),
      putPeakRssMb: put.peakRssMb,
      getSeconds: Number(get.seconds.toFixed(2)),
      getMiBps: Math.round(mib / get.seconds),
      getPeakRssMb: get.peakRssMb,
    };
  };

  const server = await startVersitygw();
  const dir = mkdtempSync(path.join(tmpdir(), 'ferje-blob-bench-'));
  try {
    global.gc?.();
    const startRssMb = Math.round(process.memoryUsage.rss() / 2 ** 20);
    const s3 = await roundTrip(await server.store());
    const directory = await roundTrip(new FsBlobStore(dir));
    console.log(
      JSON.stringify({
        bytes: mib * 2 ** 20,
        startRssMb,
        s3: { ...s3, rssGrowthMb: Math.max(s3.putPeakRssMb, s3.getPeakRssMb) - startRssMb },
        directory: { ...directory, rssGrowthMb: Math.max(directory.putPeakRssMb, directory.getPeakRssMb) - startRssMb },
      }),
    );
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
