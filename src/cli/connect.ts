// Connecting for a command: from --url or DATABASE_URL, and when that fails, what to check.
import pg from 'pg';
import { CliError, UsageError, exitCode } from './exit.js';

/** How long to wait for the server before saying it does not answer (PGDISPATCH_CONNECT_TIMEOUT, seconds). */
const connectTimeoutMs = (): number => 1000 * (Number(process.env.PGDISPATCH_CONNECT_TIMEOUT) || 10);

/**
 * The URL to connect to: `--url`, else DATABASE_URL; a usage error when neither is given.
 *
 * @example
 * resolveUrl('postgres://app@db:5432/postgres');
 */
export function resolveUrl(flag: string | undefined): string {
  const url = flag ?? process.env.DATABASE_URL;
  if (!url) {
    throw new UsageError('no database given: pass --url postgres://USER[:PASSWORD]@HOST[:PORT]/DB or set DATABASE_URL');
  }
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new UsageError(`not a PostgreSQL URL: ${JSON.stringify(redact(url))} (expected postgres://USER[:PASSWORD]@HOST[:PORT]/DB)`);
  }
  // Checked before URL parsing, which refuses a bad port with the same error as a bad password.
  // (An '@' further on means a password with an unencoded '/' or '@', read as host:port: not a port.)
  const m = /^postgres(?:ql)?:\/\/(?:[^@/?#]*@)?(?:\[[^\]]*\]|[^:/?#]*)(?::([^/?#]*))?(.*)$/.exec(url);
  const port = m?.[1];
  const passwordLike = m?.[2]?.includes('@') ?? false;
  if (port !== undefined && port !== '' && !passwordLike && (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535)) {
    throw new UsageError(`the port ${JSON.stringify(port)} in the URL ${JSON.stringify(redact(url))} is invalid: a port is a whole number from 1 to 65535 (PostgreSQL's default is 5432)`);
  }
  try {
    new URL(url);
  } catch {
    throw new UsageError(`cannot parse the URL ${JSON.stringify(redact(url))} (special characters in the password must be percent-encoded)`);
  }
  return url;
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  // Up to the last '@': a password with an unencoded '/' or '@' must not show either.
  return url.replace(/^([a-z]+:\/\/[^:/@]+):.*@/i, '$1:***@');
}

/** Where a URL points, for messages. */
function target(url: string): { host: string; port: string; user: string; database: string } {
  try {
    const u = new URL(url);
    return {
      host: u.hostname || 'localhost', port: u.port || '5432',
      user: decodeURIComponent(u.username) || process.env.USER || 'postgres',
      database: decodeURIComponent(u.pathname.slice(1)) || decodeURIComponent(u.username) || 'postgres',
    };
  } catch {
    return { host: '?', port: '?', user: '?', database: '?' };
  }
}

/**
 * Explains a failed connection: what went wrong, and what to check.
 *
 * @example
 * explainConnectError(e, url); // CliError with exit code 3
 */
export function explainConnectError(e: unknown, url: string): CliError {
  const err = e as { code?: string; message?: string };
  const t = target(url);
  const where = `${t.host}:${t.port}`;
  const base = `cannot connect to ${redact(url)}`;
  const fail = (what: string, fix: string) => new CliError(`${base}: ${what}`, fix, exitCode.connect);
  switch (err.code) {
    case 'ECONNREFUSED':
      return fail(`nothing accepts connections at ${where}`,
        `Check that PostgreSQL is running there, that the host and port in --url/DATABASE_URL are right, and that the server listens on that address (listen_addresses, port in postgresql.conf).`);
    case 'ENOTFOUND': case 'EAI_AGAIN':
      return fail(`the host name ${t.host} cannot be resolved`, 'Check the host in --url/DATABASE_URL (and your DNS or VPN).');
    case 'ETIMEDOUT': case 'EHOSTUNREACH': case 'ENETUNREACH':
      return fail(`${where} cannot be reached (${err.code})`, 'Check the host and port, and any firewall or security group between here and the server.');
    case '28P01':
      return fail(`password authentication failed for user ${t.user}`, 'Check the user and password in --url/DATABASE_URL (percent-encode special characters).');
    case '28000':
      if (/^role ".*" does not exist$/.test(err.message ?? '')) {
        return fail(`role ${t.user} does not exist on the server`,
          `Check the user name in --url/DATABASE_URL (postgres://USER@...), or create the role:  CREATE ROLE "${t.user}" LOGIN PASSWORD '...';  (as a superuser)`);
      }
      if (/is not permitted to log in/.test(err.message ?? '')) {
        return fail(`role ${t.user} may not log in`, `Connect as a role that may, or allow it:  ALTER ROLE "${t.user}" LOGIN;  (as a superuser)`);
      }
      return fail(err.message ?? 'the server refused the connection',
        `The server's pg_hba.conf has no entry allowing user ${t.user} to database ${t.database} from this address: add one (and reload), or connect as a role that is allowed.`);
    case '3D000':
      return fail(`database ${t.database} does not exist`, 'Check the database name in the URL: pg_dispatch lives in the database named by pg_cron\'s cron.database_name (default postgres).');
    case '57P03':
      return fail('the server is starting up or shutting down', 'Try again in a moment.');
    case '53300':
      return fail('too many connections', 'The server has no free connection slots (max_connections): try again, or use a pooler.');
    default:
      break;
  }
  const msg = err.message ?? String(e);
  // node-postgres says this when the server asks for a password (SCRAM, md5) and none was given.
  if (/password must be a string|SASL: SCRAM-SERVER-FIRST-MESSAGE/i.test(msg)) {
    return fail(`the server asks for a password for user ${t.user}, and none was given`,
      `Give it in the URL (postgres://${t.user}:PASSWORD@${where}/${t.database}, special characters percent-encoded), or set PGPASSWORD, or put it in ~/.pgpass.`);
  }
  if (/timeout expired|timeout exceeded/i.test(msg)) {
    return fail(`no answer from ${where} within ${connectTimeoutMs() / 1000} s`,
      'Check the host and port, and any firewall or security group between here and the server (PGDISPATCH_CONNECT_TIMEOUT sets the wait in seconds).');
  }
  if (/Connection terminated unexpectedly/i.test(msg)) {
    return fail(`the connection to ${where} was closed before PostgreSQL answered`,
      'Check that the host and port point at PostgreSQL (not another service), any firewall between here and the server, and the sslmode in the URL.');
  }
  if (/ssl|certificate/i.test(msg)) {
    return fail(msg, 'Check the sslmode in the URL (e.g. ?sslmode=require, or sslmode=disable for a local server).');
  }
  return fail(msg, 'Check --url/DATABASE_URL: host, port, user, password and database, and the server\'s pg_hba.conf.');
}

/**
 * Opens a connection for a command, or throws a CliError (exit 3) that says what to check.
 *
 * @example
 * const client = await connectCli(resolveUrl(flags.url));
 */
export async function connectCli(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs(), application_name: 'pgdispatch cli' });
  client.on('error', () => {}); // a dropped connection surfaces as a failed query
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => {});
    throw explainConnectError(e, url);
  }
  return client;
}
