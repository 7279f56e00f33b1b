import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { crc32 } from 'node:zlib';

export interface ZipSource {
  name: string;
  path?: string;
  content?: Buffer;
}

const MIMETYPE = 'application/vnd.etsi.asic-e+zip';

async function crcOf(source: ZipSource): Promise<{ crc: number; size: number }> {
  if (source.content) return { crc: crc32(source.content), size: source.content.length };
  let crc = 0;
  let size = 0;
  for await (const chunk of createReadStream(source.path as string, { highWaterMark: 1024 * 1024 })) {
    crc = crc32(chunk as Buffer, crc);
    size += (chunk as Buffer).length;
  }
  return { crc, size };
}

/**
 * Writes an ASiC-E container (a zip with `mimetype` first, uncompressed, and `META-INF/manifest.xml`), streaming
 * every file from disk. Entries are stored, not deflated: the container is what the IP hands a receiver on pop.
 */
export async function writeAsic(target: string, files: ZipSource[]): Promise<number> {
  const manifest = Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">\n` +
      files.map((f) => `  <manifest:file-entry manifest:full-path="${escapeXml(f.name)}"/>\n`).join('') +
      '</manifest:manifest>\n',
  );
  const entries: ZipSource[] = [
    { name: 'mimetype', content: Buffer.from(MIMETYPE) },
    ...files,
    { name: 'META-INF/manifest.xml', content: manifest },
  ];
  const out = createWriteStream(target);
  const write = async (buf: Buffer): Promise<void> => {
    if (!out.write(buf)) await once(out, 'drain');
  };
  const central: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const { crc, size } = await crcOf(entry);
    if (size >= 0xffffffff || offset >= 0xffffffff) throw new Error('The simulator writes containers under 4 GiB only');
    const name = Buffer.from(entry.name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(0, 8);
    local.writeUInt32LE(0, 10);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(size, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(0x0800, 8);
    cd.writeUInt16LE(0, 10);
    cd.writeUInt32LE(0, 12);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(size, 20);
    cd.writeUInt32LE(size, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE(offset, 42);
    central.push(cd, name);
    await write(local);
    await write(name);
    if (entry.content) await write(entry.content);
    else
      for await (const chunk of createReadStream(entry.path as string, { highWaterMark: 1024 * 1024 }))
        await write(chunk as Buffer);
    offset += 30 + name.length + size;
  }
  const cdBuf = Buffer.concat(central);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cdBuf.length, 12);
  eocd.writeUInt32LE(offset, 16);
  await write(cdBuf);
  await write(eocd);
  out.end();
  await once(out, 'finish');
  return offset + cdBuf.length + 22;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
