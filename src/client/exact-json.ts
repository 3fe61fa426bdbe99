// Exact numbers from jsonb: PostgreSQL keeps a jsonb number as `numeric` (bigint ids, money), but
// JSON.parse (and node-postgres's jsonb parser) reads every number into a double, which silently
// changes integers beyond 2^53 and decimals with more than 15-17 significant digits. The client
// reads jsonb as text and parses it here: a number a double would change comes as its exact text.

/**
 * A value of a job's result rows as the client returns it. Numbers that a JavaScript number cannot
 * hold exactly (integers beyond ±`Number.MAX_SAFE_INTEGER`, decimals with more significant digits
 * than a double keeps) are strings with their exact decimal text, as node-postgres reads `bigint`
 * and `numeric` columns; every other number is a `number`.
 *
 * @example
 * const { rows } = await d.result<{ big: ExactJson; money: ExactJson }>(id);
 * // SELECT 9007199254740993::bigint AS big, 1.5 AS money → [{ big: '9007199254740993', money: 1.5 }]
 */
export type ExactJson = null | boolean | number | string | readonly ExactJson[] | { readonly [key: string]: ExactJson };

/** A JSON string (escapes included) or a JSON number. Keys and other strings are passed over whole. */
const token = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

/** The decimal value a number's text stands for, as `digits e exponent` with no padding zeros. */
function decimalKey(text: string): string | null {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return null;
  const frac = m[3] ?? '';
  let digits = (m[2]! + frac).replace(/^0+/, '');
  let exp = Number(m[4] ?? 0) - frac.length;
  if (digits === '') return '0';
  const kept = digits.replace(/0+$/, '');
  exp += digits.length - kept.length;
  digits = kept;
  return `${m[1]}${digits}e${exp}`;
}

/**
 * Whether a JSON number reads into a double without changing: integers within the safe range, and
 * decimals whose shortest JavaScript form stands for the same value (0.1, 12.50, 1e-7).
 *
 * @example
 * isExactNumber('9007199254740991'); // true
 * isExactNumber('9007199254740993'); // false
 * isExactNumber('12345678901234567890.123456789'); // false
 */
export function isExactNumber(text: string): boolean {
  const n = Number(text);
  if (!Number.isFinite(n)) return false;
  if (/^-?\d+$/.test(text)) return Number.isSafeInteger(n);
  return decimalKey(text) === decimalKey(String(n));
}

/**
 * Parses JSON keeping every number exact: those `isExactNumber()` refuses come as strings.
 *
 * @example
 * parseExactJson('{"big": 9007199254740993, "n": 1.5}'); // { big: '9007199254740993', n: 1.5 }
 */
export function parseExactJson(text: string): ExactJson {
  const quoted = text.replace(token, (t) => (t.charCodeAt(0) === 34 /* " */ || isExactNumber(t) ? t : `"${t}"`));
  return JSON.parse(quoted) as ExactJson;
}
