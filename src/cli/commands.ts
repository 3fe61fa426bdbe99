// Every subcommand of the CLI, in the order `pgdispatch --help` lists them.
import type { Command } from './command.js';
import { cancel } from './cancel.js';
import { dashboard } from './dashboard.js';
import { demo } from './demo-command.js';
import { doctor } from './doctor.js';
import { install } from './install.js';
import { jobs } from './jobs.js';
import { purge } from './purge.js';
import { retry } from './retry.js';
import { queues } from './queues.js';
import { schedules } from './schedules.js';
import { show } from './show.js';
import { uninstall } from './uninstall.js';
import { upgrade } from './upgrade.js';
import { watch } from './watch.js';

export const commands: readonly Command[] = [demo, install, upgrade, uninstall, doctor, jobs, show, watch, schedules, queues, dashboard, cancel, retry, purge];
