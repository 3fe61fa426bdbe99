// The filters `jobs` and `watch` share: --status, --label, --since.
import { jobStatuses, type JobStatus } from '../client/generated/api.js';
import type { ListFilter } from '../client/list.js';
import { sinceDate, stringFlag, type FlagSpec, type Parsed } from './args.js';
import { UsageError } from './exit.js';

export const filterFlags: FlagSpec = { status: 'string', label: 'string', since: 'string' };

export const filterHelp: readonly string[] = [
  `--status S[,S]   ${jobStatuses.join(', ')}`,
  '--label PATTERN  a LIKE pattern on the label, e.g. billing/%',
  '--since WHEN     fired since: a duration back from now (30m, 12h, 7d) or a time (2030-01-31T12:00:00Z)',
];

/** Reads the filter flags, refusing unknown statuses. */
export function readFilter(p: Parsed): ListFilter {
  const status = stringFlag(p, 'status');
  const label = stringFlag(p, 'label');
  const since = stringFlag(p, 'since');
  let statuses: JobStatus[] | undefined;
  if (status !== undefined) {
    statuses = status.split(',').map((x) => x.trim()).filter(Boolean) as JobStatus[];
    const bad = statuses.filter((x) => !(jobStatuses as readonly string[]).includes(x));
    if (bad.length || statuses.length === 0) throw new UsageError(`--status takes ${jobStatuses.join(', ')} (comma-separated), not ${JSON.stringify(status)}`);
  }
  return {
    ...(statuses ? { status: statuses } : {}),
    ...(label !== undefined ? { label } : {}),
    ...(since !== undefined ? { since: sinceDate(since, 'since') } : {}),
  };
}
