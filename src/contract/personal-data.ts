/**
 * Recognises Norwegian and Swedish national identity numbers inside free text such as a caller's reference, so that
 * they are refused before they become part of a workflow ID or a search attribute (both stored in plain text).
 *
 * Only checksum-valid numbers with a plausible date count, so that ordinary numeric references are not refused:
 * - Norway (fødselsnummer, D-nummer +40 on the day, H-nummer +40 on the month, synthetic test numbers +80 on the
 *   month): 11 digits DDMMYYIIIKK with two modulus-11 check digits (Skatteetaten's algorithm).
 * - Sweden (personnummer, samordningsnummer +60 on the day): YYMMDD[-+]NNNC or YYYYMMDDNNNC with a Luhn check digit
 *   over the ten digits YYMMDDNNNC (Skatteverket's algorithm).
 */
export function containsNationalIdentityNumber(text: string): boolean {
  // A UUID is random by construction; its 12-digit group must not be mistaken for a personnummer.
  if (UUID.test(text)) return false;
  for (const match of text.matchAll(/\d+(?:[-+]\d{4})?/g)) {
    const token = match[0];
    const digits = token.replace(/[-+]/g, '');
    if (/^\d{11}$/.test(token) && isNorwegianIdentityNumber(token)) return true;
    if (digits.length === 10 && isSwedishIdentityNumber(digits)) return true;
    if (digits.length === 12 && /^(18|19|20)/.test(digits) && isSwedishIdentityNumber(digits.slice(2))) return true;
  }
  return false;
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

function plausibleDate(day: number, month: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

export function isNorwegianIdentityNumber(digits: string): boolean {
  if (!/^\d{11}$/.test(digits)) return false;
  const d = [...digits].map(Number);
  let day = d[0] * 10 + d[1];
  let month = d[2] * 10 + d[3];
  if (day > 40) day -= 40; // D-nummer
  if (month > 80)
    month -= 80; // synthetic (test) numbers
  else if (month > 40) month -= 40; // H-nummer
  if (!plausibleDate(day, month)) return false;
  const k1 = mod11([3, 7, 6, 1, 8, 9, 4, 5, 2], d);
  if (k1 === undefined || k1 !== d[9]) return false;
  const k2 = mod11([5, 4, 3, 2, 7, 6, 5, 4, 3, 2], d);
  return k2 !== undefined && k2 === d[10];
}

function mod11(weights: number[], d: number[]): number | undefined {
  const sum = weights.reduce((acc, w, i) => acc + w * d[i], 0);
  const k = 11 - (sum % 11);
  if (k === 11) return 0;
  return k === 10 ? undefined : k;
}

export function isSwedishIdentityNumber(tenDigits: string): boolean {
  if (!/^\d{10}$/.test(tenDigits)) return false;
  const d = [...tenDigits].map(Number);
  let day = d[4] * 10 + d[5];
  const month = d[2] * 10 + d[3];
  if (day > 60) day -= 60; // samordningsnummer
  if (!plausibleDate(day, month)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) {
    let v = d[i] * (i % 2 === 0 ? 2 : 1);
    if (v > 9) v -= 9;
    sum += v;
  }
  return (10 - (sum % 10)) % 10 === d[9];
}
