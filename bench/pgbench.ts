// pgbench, for the caller-side transaction cost and the connection-per-transaction ceiling.
// With the bench's own server it comes from scripts/local-pg.sh's root and runs inside its chroot
// (host files are not visible there, so scripts are written under the root's /tmp). With --url,
// a pgbench on the PATH is used when there is one, else the same chroot (built if missing).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../src/cli/embedded-server.js';

export interface PgbenchRun {
  readonly tps: number;
  /** Average latency per transaction in ms, as pgbench reports it. */
  readonly latencyMs: number;
  readonly transactions: number;
}

export class Pgbench {
  private readonly localPg = join(projectRoot(), 'scripts', 'local-pg.sh');
  private readonly hostBinary: string | undefined;
  private chrootTmp: string | undefined;

  constructor(private readonly url: string, preferChroot: boolean) {
    const which = spawnSync('sh', ['-c', 'command -v pgbench'], { encoding: 'utf8' });
    this.hostBinary = !preferChroot && which.status === 0 ? which.stdout.trim() : undefined;
  }

  describe(): string {
    return this.hostBinary ?? 'pgbench from scripts/local-pg.sh (chroot)';
  }

  /** Runs `script` (pgbench's script language) with the given options; returns tps and latency. */
  run(name: string, script: string, options: readonly string[]): PgbenchRun {
    const file = this.place(name, script);
    const args = [...options, '-n', '-f', file, this.url];
    const out = this.hostBinary
      ? execFileSync(this.hostBinary, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
      : execFileSync(this.localPg, ['exec', 'pgbench', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const num = (re: RegExp): number => {
      const m = re.exec(out);
      if (!m?.[1]) throw new Error(`cannot read ${re} in pgbench output:\n${out}`);
      return Number(m[1]);
    };
    return {
      tps: num(/^tps = ([\d.]+)/m),
      latencyMs: num(/^latency average = ([\d.]+) ms/m),
      transactions: num(/^number of transactions actually processed: (\d+)/m),
    };
  }

  private place(name: string, script: string): string {
    if (this.hostBinary) {
      const dir = join(projectRoot(), 'bench', 'results', '.pgbench');
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `${name}.sql`);
      writeFileSync(file, script);
      return file;
    }
    this.chrootTmp ??= execFileSync(this.localPg, ['root'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
    const file = `/tmp/pgdispatch-bench-${name}.sql`;
    writeFileSync(join(this.chrootTmp, file), script, { mode: 0o644 });
    return file;
  }
}
