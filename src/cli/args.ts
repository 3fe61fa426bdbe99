// A tiny argument parser: `--name value`, `--name=value`, boolean `--flag`, `-h`; anything else is a
// usage error (exit code 2), never a guess.
import { UsageError } from './exit.js';

/** What a flag takes. */
export type FlagKind = 'string' | 'boolean';

/** The flags a command accepts, by long name (without `--`). */
export type FlagSpec = Readonly<Record<string, FlagKind>>;

/** Parsed arguments. */
export interface Parsed {
  readonly flags: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
}

/**
 * Parses argv against a flag spec.
 *
 * @example
 * parseArgs(['--limit', '10', '--json', '42'], { limit: 'string', json: 'boolean' });
 * // { flags: { limit: '10', json: true }, positionals: ['42'] }
 */
export function parseArgs(argv: readonly string[], spec: FlagSpec): Parsed {
  const flags: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a === '-h') {
      flags.help = true;
      continue;
    }
    if (!a.startsWith('--') || a === '-') {
      if (a.startsWith('-') && a.length > 1 && !/^-\d/.test(a)) throw new UsageError(`unknown option ${a}`);
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq >= 0 ? eq : undefined);
    const kind = spec[name];
    if (!kind) throw new UsageError(`unknown option --${name}`);
    if (kind === 'boolean') {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      flags[name] = true;
    } else {
      const value = eq >= 0 ? a.slice(eq + 1) : argv[++i];
      if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
      flags[name] = value;
    }
  }
  return { flags, positionals };
}

/**
 * Reads an integer flag within bounds.
 *
 * @example
 * intFlag(parsed, 'limit', 50, 1, 1000);
 */
export function intFlag(p: Parsed, name: string, fallback: number, min: number, max: number): number {
  const v = p.flags[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== 'string' || !/^-?\d+$/.test(v) || n < min || n > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(v)}`);
  }
  return n;
}

/**
 * A string flag, or undefined.
 *
 * @example
 * const label = stringFlag(parsed, 'label');
 */
export function stringFlag(p: Parsed, name: string): string | undefined {
  const v = p.flags[name];
  return typeof v === 'string' ? v : undefined;
}

const units: Readonly<Record<string, string>> = { s: 'seconds', m: 'minutes', h: 'hours', d: 'days', w: 'weeks' };

/**
 * Turns `90s`, `15m`, `2h`, `7d`, `1w` (or PostgreSQL interval text such as `7 days`) into interval text.
 *
 * @example
 * durationText('7d'); // '7 days'
 */
export function durationText(v: string, flag: string): string {
  const m = /^(\d+)\s*([smhdw])$/.exec(v.trim());
  if (m) return `${m[1]} ${units[m[2]!]}`;
  if (/^\d+(\.\d+)?\s+(second|minute|hour|day|week|month|year)s?$/i.test(v.trim())) return v.trim();
  throw new UsageError(`--${flag} must be a duration such as 30m, 12h, 7d or '7 days', not ${JSON.stringify(v)}`);
}

/**
 * Turns `--since` (a duration back from now, or an ISO time) into a Date.
 *
 * @example
 * sinceDate('1h'); // an hour ago
 */
export function sinceDate(v: string, flag: string): Date {
  const m = /^(\d+)\s*([smhdw])$/.exec(v.trim());
  if (m) {
    const ms = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 604800e3 }[m[2] as 's' | 'm' | 'h' | 'd' | 'w'];
    return new Date(Date.now() - Number(m[1]) * ms);
  }
  const d = new Date(v);
  if (!/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(d.getTime())) {
    throw new UsageError(`--${flag} must be a duration back from now (30m, 12h, 7d) or a time (2030-01-31T12:00:00Z), not ${JSON.stringify(v)}`);
  }
  return d;
}

/**
 * Checks that a positional is a job id.
 *
 * @example
 * jobIdArg('42'); // '42'
 */
export function jobIdArg(v: string | undefined): string {
  if (v === undefined) throw new UsageError('a job id is required');
  if (!/^\d{1,19}$/.test(v)) throw new UsageError(`a job id is a positive whole number, not ${JSON.stringify(v)}`);
  return v;
}
