// Quoting for commands the CLI prints for people to paste into a POSIX shell (e.g. the next page of
// `jobs`): anything beyond plain characters is single-quoted, so `x/%`, `a b` or `it's` survive.

/**
 * One word, quoted for sh when it needs it.
 *
 * @example
 * shellQuote('billing/%'); // "'billing/%'"
 * shellQuote("it's");      // "'it'\\''s'"
 */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_\/.,:=@+-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * A command line from words, each quoted as needed.
 *
 * @example
 * shellCommand(['pgdispatch', 'jobs', '--label', 'x/%']); // "pgdispatch jobs --label 'x/%'"
 */
export function shellCommand(words: readonly string[]): string {
  return words.map(shellQuote).join(' ');
}
