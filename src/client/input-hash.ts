import { createHash } from 'node:crypto';

/** The memo field that keeps a hash of the input a flow was started with (memos go through the encrypting codec). */
export const INPUT_HASH_MEMO = 'ferjeInputSha256';

/**
 * JSON with object keys sorted at every level, so that two inputs that mean the same (keys in another order) hash the
 * same. `undefined` fields are left out, as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(v).sort()) sorted[key] = (v as Record<string, unknown>)[key];
    return sorted;
  });
}

/** sha256 (hex) of the input's canonical JSON: what `ferje start` compares when a business key is taken. */
export function inputSha256(input: unknown): string {
  return createHash('sha256')
    .update(canonicalJson(input) ?? 'undefined')
    .digest('hex');
}
