// pgdispatch: the command line. Each subcommand lives in a file of its own; this file parses the
// command name, prints usage, and turns failures into messages and exit codes
// (0 done, 1 failed, 2 usage error, 3 cannot connect).
import { extensionVersion } from '../client/generated/api.js';
import { ConnectionError, PgDispatchError } from '../client/errors.js';
import { parseArgs } from './args.js';
import { exitQuietlyOnBrokenPipe } from './broken-pipe.js';
import { makeIo, type Command } from './command.js';
import { explainConnectError, resolveUrl } from './connect.js';
import { CliError, UsageError, exitCode } from './exit.js';
import { palette } from './output.js';

import { commands } from './commands.js';

function overview(): string {
  const w = Math.max(...commands.map((c) => c.name.length));
  return [
    `pgdispatch ${extensionVersion}: run SQL asynchronously in PostgreSQL (pg_dispatch on pg_cron)`,
    '',
    'usage: pgdispatch <command> [options]',
    '',
    ...commands.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
    '',
    'Connects with --url postgres://USER[:PASSWORD]@HOST[:PORT]/DB or DATABASE_URL.',
    '--json prints one JSON document for scripts. Exit codes: 0 done, 1 failed, 2 usage error, 3 cannot connect',
    '(141 when the reader of the output went away, e.g. | head, as for a tool ended by SIGPIPE).',
    'pgdispatch <command> --help shows its options.',
  ].join('\n');
}

function usage(c: Command): string {
  return [`usage: pgdispatch ${c.name} ${c.usage}`, '', c.summary, ...(c.help?.length ? ['', ...c.help.map((h) => `  ${h}`)] : [])].join('\n');
}

function report(message: string, fix?: string): void {
  const c = palette(process.stderr);
  process.stderr.write(`${c.red('pgdispatch:')} ${message.replace(/^pg_dispatch: /, '')}\n${fix ? `${fix.replace(/^/gm, '  ')}\n` : ''}`);
}

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' ? commands.find((c) => c.name === rest[0]) : undefined;
    process.stdout.write(`${topic ? usage(topic) : overview()}\n`);
    return exitCode.ok;
  }
  if (name === '--version' || name === 'version') {
    process.stdout.write(`${extensionVersion}\n`);
    return exitCode.ok;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    report(`unknown command ${JSON.stringify(name)}`);
    process.stderr.write(`\n${overview()}\n`);
    return exitCode.usage;
  }
  let url: string | undefined;
  try {
    const parsed = parseArgs(rest, { ...command.flags, help: 'boolean' });
    if (parsed.flags.help) {
      process.stdout.write(`${usage(command)}\n`);
      return exitCode.ok;
    }
    // Refused before anything runs: `uninstall --yes junk` must not uninstall.
    const extra = command.takesIds === 'many' ? [] : parsed.positionals.slice(command.takesIds === 'one' ? 1 : 0);
    if (extra.length) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}${command.takesIds ? '' : ` (${command.name} takes no arguments, only the options below)`}`);
    url = typeof parsed.flags.url === 'string' ? parsed.flags.url : process.env.DATABASE_URL;
    return await command.run(parsed, makeIo(parsed.flags.json === true));
  } catch (e) {
    if (e instanceof UsageError) {
      report(e.message);
      process.stderr.write(`\n${usage(command)}\n`);
      return exitCode.usage;
    }
    if (e instanceof CliError) {
      report(e.message, e.fix);
      return e.code;
    }
    const mapped = e instanceof PgDispatchError ? e : undefined;
    const code = (e as { code?: string }).code;
    if (mapped instanceof ConnectionError || /^(E[A-Z]+|28...|3D000|57P0.|08...)$/.test(code ?? '')) {
      const err = explainConnectError(mapped?.cause ?? e, url ? safeUrl(url) : 'the database');
      report(err.message, err.fix);
      return exitCode.connect;
    }
    if (mapped?.name === 'NotInstalledError' || code === '42P01' || code === '3F000') {
      report(`pg_dispatch is not installed in this database (${(e as Error).message})`,
        'Run: pgdispatch install  (in the database named by pg_cron\'s cron.database_name); pgdispatch doctor says what is missing.');
      return exitCode.failure;
    }
    if (mapped?.name === 'PermissionDeniedError' && !mapped.hint) {
      report((e as Error).message, 'This role may not use pg_dispatch: an admin can allow it with  SELECT pgdispatch.grant_usage(\'ROLE\');  (pgdispatch doctor shows the rights)');
      return exitCode.failure;
    }
    const hint = mapped?.hint ?? (e as { hint?: string }).hint;
    report(e instanceof Error ? e.message : String(e), hint);
    return exitCode.failure;
  }
}

function safeUrl(url: string): string {
  try {
    return resolveUrl(url);
  } catch {
    return url;
  }
}

exitQuietlyOnBrokenPipe();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Give stdout a moment to drain when piped, then leave even if a handle lingers.
    setTimeout(() => process.exit(code), 50).unref();
  },
  (e: unknown) => {
    report(e instanceof Error ? e.message : String(e));
    process.exit(exitCode.failure);
  },
);
