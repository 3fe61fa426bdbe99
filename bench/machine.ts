// The machine and server the figures were measured on: absolute numbers mean little without it.
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import type pg from 'pg';

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  readonly postgres: string;
  readonly pgCron: string;
  readonly pgDispatch: string;
  readonly server: string;
  readonly settings: Record<string, string>;
}

function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m?.[1]) return m[1].trim();
  } catch {
    // not Linux: fall back to what node knows
  }
  return cpus()[0]?.model ?? 'unknown';
}

export async function describeMachine(client: pg.Client, server: string): Promise<Machine> {
  const one = async (sql: string): Promise<string> => String((await client.query<{ v: unknown }>(sql)).rows[0]?.v ?? '');
  const settings: Record<string, string> = {};
  for (const name of ['max_connections', 'cron.max_running_jobs', 'cron.use_background_workers', 'synchronous_commit', 'fsync', 'full_page_writes', 'shared_buffers']) {
    settings[name] = await one(`SELECT current_setting('${name}', true) AS v`);
  }
  let os = `${process.platform} ${process.arch}`;
  try {
    os = /^PRETTY_NAME="?([^"\n]+)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? os;
  } catch {
    // keep platform/arch
  }
  return {
    cpu: cpuModel(),
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os,
    node: process.version,
    postgres: await one(`SELECT current_setting('server_version') AS v`),
    pgCron: await one(`SELECT extversion AS v FROM pg_extension WHERE extname = 'pg_cron'`),
    pgDispatch: await one(`SELECT default_version AS v FROM pg_available_extensions WHERE name = 'pg_dispatch'`),
    server,
    settings,
  };
}

export function machineLine(m: Machine): string {
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB; ${m.os}; PostgreSQL ${m.postgres}, pg_cron ${m.pgCron}, pg_dispatch ${m.pgDispatch}; ${m.server}`;
}
