const byExtension: Record<string, string> = {
  pdf: 'application/pdf',
  xml: 'application/xml',
  json: 'application/json',
  txt: 'text/plain',
  html: 'text/html',
  htm: 'text/html',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  odt: 'application/vnd.oasis.opendocument.text',
  zip: 'application/zip',
};

/** The IP needs a real file MIME type on PUT; guess from the extension when the caller gave none. */
export function mediaTypeFor(fileName: string, given?: string): string {
  if (given && given !== 'application/octet-stream') return given;
  const ext = fileName.split('.').pop()?.toLowerCase() ?? '';
  return byExtension[ext] ?? given ?? 'application/octet-stream';
}

/** `attachment; name="…"; filename="…"` with an RFC 5987 `filename*` when the name is not plain ASCII. */
export function contentDisposition(kind: 'attachment' | 'form-data', name: string, fileName: string): string {
  const ascii = (s: string): string => s.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  let header = `${kind}; name="${ascii(name)}"; filename="${ascii(fileName)}"`;
  if (ascii(fileName) !== fileName) header += `; filename*=UTF-8''${encodeURIComponent(fileName)}`;
  return header;
}
