import { open } from 'node:fs/promises';

export interface ContainerEntry {
  name: string;
  size: number;
}

/**
 * Lists the entries of an ASiC-E container (a zip) from its central directory, reading only the file's tail: the
 * container itself is never loaded. Handles zip64 sizes and offsets.
 */
export async function listContainerEntries(file: string): Promise<ContainerEntry[]> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const tailSize = Math.min(size, 65_557);
    const tail = Buffer.alloc(tailSize);
    await handle.read(tail, 0, tailSize, size - tailSize);
    let eocd = -1;
    for (let i = tailSize - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === 0x06054b50) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new Error('Not a zip container (no end of central directory)');
    let entries = tail.readUInt16LE(eocd + 10);
    let cdSize = tail.readUInt32LE(eocd + 12);
    let cdOffset = tail.readUInt32LE(eocd + 16);
    if (cdOffset === 0xffffffff || entries === 0xffff) {
      const locator = eocd - 20;
      if (locator < 0 || tail.readUInt32LE(locator) !== 0x07064b50) throw new Error('zip64 locator missing');
      const z64 = Buffer.alloc(56);
      await handle.read(z64, 0, 56, Number(tail.readBigUInt64LE(locator + 8)));
      entries = Number(z64.readBigUInt64LE(32));
      cdSize = Number(z64.readBigUInt64LE(40));
      cdOffset = Number(z64.readBigUInt64LE(48));
    }
    if (cdSize > 64 * 1024 * 1024) throw new Error('Central directory too large');
    const cd = Buffer.alloc(cdSize);
    await handle.read(cd, 0, cdSize, cdOffset);
    const out: ContainerEntry[] = [];
    let p = 0;
    for (let i = 0; i < entries && p + 46 <= cd.length; i++) {
      if (cd.readUInt32LE(p) !== 0x02014b50) throw new Error('Corrupt central directory');
      let entrySize = cd.readUInt32LE(p + 24);
      const nameLength = cd.readUInt16LE(p + 28);
      const extraLength = cd.readUInt16LE(p + 30);
      const commentLength = cd.readUInt16LE(p + 32);
      const name = cd.toString('utf8', p + 46, p + 46 + nameLength);
      if (entrySize === 0xffffffff) {
        // zip64 extra field: header id 0x0001, the uncompressed size first.
        let q = p + 46 + nameLength;
        const end = q + extraLength;
        while (q + 4 <= end) {
          const id = cd.readUInt16LE(q);
          const len = cd.readUInt16LE(q + 2);
          if (id === 0x0001) entrySize = Number(cd.readBigUInt64LE(q + 4));
          q += 4 + len;
        }
      }
      out.push({ name, size: entrySize });
      p += 46 + nameLength + extraLength + commentLength;
    }
    return out;
  } finally {
    await handle.close();
  }
}
