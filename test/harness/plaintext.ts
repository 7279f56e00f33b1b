/**
 * Whether an exported history (JSON text) reveals a marker, either as-is or inside any base64 field (payload data is
 * base64 in history JSON, so a plain text search alone would miss unencrypted payloads).
 */
export function revealsMarker(historyJson: string, marker: string): boolean {
  if (historyJson.includes(marker)) return true;
  let found = false;
  JSON.parse(historyJson, (_key, value: unknown) => {
    if (!found && typeof value === 'string' && value.length >= 8 && /^[A-Za-z0-9+/=_-]+$/.test(value)) {
      if (Buffer.from(value, 'base64').toString('latin1').includes(marker)) found = true;
    }
    return value;
  });
  return found;
}
