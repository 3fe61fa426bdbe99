// pgdispatch show <id>: one job in full: command, times, attempts, rows, error.
import { createDispatch } from '../client/create-dispatch.js';
import { jobIdArg } from './args.js';
import { connectFlags, withClient, type Command } from './command.js';
import { exitCode } from './exit.js';
import { printJson, statusColour } from './output.js';

export const show: Command = {
  name: 'show',
  summary: 'show one job: command, times, attempts, rows, error',
  usage: '<id> [--url URL] [--json]',
  flags: connectFlags,
  takesIds: 'one',
  async run(p, io) {
    const id = jobIdArg(p.positionals[0]);
    return withClient(p, async (client) => {
      const d = createDispatch(client, { listen: false });
      const r = await d.result(id); // raises JobNotFoundError (exit 1) for a job the caller cannot see
      const { rows: [job] } = await client.query('SELECT * FROM pgdispatch.jobs WHERE id = $1', [id]);
      if (io.json) {
        printJson({ ...job, result: r });
        return exitCode.ok;
      }
      const c = io.c;
      const line = (k: string, v: unknown) => { if (v !== null && v !== undefined && v !== '') io.say(`${c.dim(k.padEnd(12))}${String(v)}`); };
      const t = (v: Date | null) => (v ? v.toISOString() : null);
      line('job', `${r.jobId}  ${statusColour(c, r.status)}`);
      line('label', r.label);
      line('role', job?.role);
      line('fired', t(job?.created_at ?? null));
      line('due', t(job?.run_at ?? null));
      line('started', t(r.startedAt));
      line('finished', t(r.finishedAt));
      line('attempts', `${r.attempts} of ${job?.max_attempts ?? '?'}`);
      if (job?.timeout) line('timeout', JSON.stringify(job.timeout));
      io.say(`${c.dim('command')}\n${r.command.replace(/^/gm, '  ')}`);
      if (r.error) {
        io.say(c.red(`error ${r.error.sqlstate}: ${r.error.message}`));
        line('  detail', r.error.detail);
        line('  hint', r.error.hint);
        line('  context', r.error.context);
      }
      if (r.rowCount !== null) line('row count', `${r.rowCount}${r.truncated ? ' (rows truncated)' : ''}`);
      if (r.rows) {
        const shown = r.rows.slice(0, 20);
        io.say(`${c.dim('rows')}\n${shown.map((row) => `  ${JSON.stringify(row)}`).join('\n')}${r.rows.length > 20 ? `\n  … ${r.rows.length - 20} more (--json for all)` : ''}`);
      }
      const log = job?.attempt_log as { attempt: number; sqlstate: string; message: string }[] | undefined;
      if (log?.length && r.attempts > 1) {
        io.say(c.dim('failed attempts'));
        for (const a of log) io.say(`  #${a.attempt} ${a.sqlstate} ${a.message}`);
      }
      return exitCode.ok;
    });
  },
};
