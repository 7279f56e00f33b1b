/**
 * Cuts a stream of chunks of any size into parts of exactly `partSize` bytes (the last one shorter), each in a buffer
 * of its own: what a multipart upload sends. Holds at most one part that is being filled, so the memory a caller
 * uses is its number of parts in flight times `partSize`, whatever the size of the source.
 */
export async function* partsOf(source: AsyncIterable<Uint8Array>, partSize: number): AsyncGenerator<Buffer> {
  let part = Buffer.allocUnsafe(partSize);
  let filled = 0;
  for await (const chunk of source) {
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(partSize - filled, chunk.length - offset);
      part.set(chunk.subarray(offset, offset + take), filled);
      filled += take;
      offset += take;
      if (filled === partSize) {
        yield part;
        part = Buffer.allocUnsafe(partSize);
        filled = 0;
      }
    }
  }
  if (filled > 0) yield part.subarray(0, filled);
}
