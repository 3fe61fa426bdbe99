// pg_dispatch, the whole extension: every SQL object in the order the install script creates it.
// The version comes from package.json, the project's one version source.
import { readFileSync } from 'node:fs';
import type { ExtensionModel } from './model/types.js';
import { preamble } from './schema/preamble.js';
import { schemaCreate, schemaSetup } from './schema/extension-schema.js';
import { extensionName } from './schema/extension-name.js';
import { settingsTable } from './schema/settings-table.js';
import { settingsBeforeInsert } from './schema/settings-before-insert.js';
import { restoredTable } from './backup/restored-table.js';
import { restoredJob } from './backup/restored-job.js';
import { rehome, retireRunner } from './backup/rehome.js';
import { roleQuotasTable } from './schema/role-quotas-table.js';
import { pendingBoundTable } from './schema/pending-bound-table.js';
import { jobPolicy, jobTable } from './schema/job-table.js';
import { isAdmin } from './schema/is-admin.js';
import { statements } from './schema/statements.js';
import { executorSchema } from './schema/executor-schema.js';
import { jobArmAtCommit, jobBeforeInsert, jobBeforeUpdate } from './schema/job-triggers.js';
import { jobsView } from './schema/jobs-view.js';
import { statsView } from './schema/stats-view.js';
import { executorFor, executorTemplate } from './runner/executor.js';
import { arm, carrierCommand, disarm, disarmCarriers, unschedule } from './runner/carrier.js';
import { armToken, mayArm, runnerFor, runnerSessionTable, runnerTable, servedRole } from './runner/runner-role.js';
import { armWaiting, claimSlot, fairShare, overShare, releaseSlot, slotTable, waitingRoleTable } from './runner/slot.js';
import { alive } from './runner/alive.js';
import { busyCarriers } from './runner/busy-carriers.js';
import { ensureWatchdog } from './runner/ensure-watchdog.js';
import { execute } from './runner/execute.js';
import { forgetRuns } from './runner/forget-runs.js';
import { maintain } from './runner/maintain.js';
import { reboot } from './runner/reboot.js';
import { recordFailure } from './runner/record-failure.js';
import { run } from './runner/run.js';
import { scrubSession } from './runner/scrub-session.js';
import { serviceCommand } from './runner/service-command.js';
import { serviceJobs } from './runner/service-jobs.js';
import { settingsChanged } from './runner/settings-changed.js';
import { settleCarrier } from './runner/settle-carrier.js';
import { start } from './runner/start.js';
import { stayWarm } from './runner/stay-warm.js';
import { stopRunner } from './runner/stop-runner.js';
import { take } from './runner/take.js';
import { recordInterrupted } from './runner/record-interrupted.js';
import { takeNext } from './runner/take-next.js';
import { passPromise } from './runner/pass-promise.js';
import { ride } from './runner/ride.js';
import { takeDue } from './runner/take-due.js';
import { watch } from './runner/watch.js';
import { freshTransaction } from './runner/fresh-transaction.js';
import { purge, purgeInternal } from './admin/purge.js';
import { grantUsage, revokeUsage, userGrants } from './admin/usage.js';
import { runnerGroup } from './runner/runner-group.js';
import { fire, fireAt, snooze } from './api/fire.js';
import { fireMany } from './api/fire-many.js';
import { status } from './api/status.js';
import { wait } from './api/wait.js';
import { result } from './api/result.js';
import { cancel, cancelByLabel } from './api/cancel.js';
import { retry } from './api/retry.js';
import { fireWaitingKey } from './controls/fire-waiting-key.js';
import { bindArgs } from './controls/bind-args.js';
import { from015 } from './upgrades/from-0.1.js';
import { to110 } from './upgrades/1.0.0--1.1.0.js';
import { to120 } from './upgrades/1.1.0--1.2.0.js';
import { to121 } from './upgrades/1.2.0--1.2.1.js';
import { to122 } from './upgrades/1.2.1--1.2.2.js';
import { cronField, nextOccurrence } from './schedules/cron.js';
import { schedulePolicy, scheduleTable } from './schedules/schedule-table.js';
import { maintainSchedules, occurrenceEnd, occurrenceStart, scheduleAfterDelete, scheduleAfterWrite, scheduleBeforeWrite, scheduleChain, scheduleOccurrence } from './schedules/schedule-machinery.js';
import { pauseSchedule, resumeSchedule, runScheduleNow, schedule, unscheduleFn } from './schedules/schedule-api.js';
import { schedulesView } from './schedules/schedules-view.js';
import { queuePolicy, queueTable } from './queues/queue-table.js';
import { armQueue, blockedQueues, jobQueuePlace, queueAfterWrite, queueRoom } from './queues/queue-room.js';
import { pauseQueue, resumeQueue, setQueue } from './queues/queue-api.js';
import { queuesView } from './queues/queues-view.js';
import { afterRepair, jobAfterEnd, jobAfterTable } from './dependencies/dependencies.js';
import { afterRecount } from './dependencies/after-recount.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

export const extension: ExtensionModel = {
  name: 'pg_dispatch',
  schema: 'pgdispatch',
  version: pkg.version,
  comment: 'Run SQL asynchronously: fire-and-remember jobs on pg_cron, with status, results and errors',
  requires: ['pg_cron'],
  objects: [
    preamble,
    schemaCreate,
    schemaSetup,
    runnerGroup,
    extensionName,
    settingsTable,
    settingsBeforeInsert,
    roleQuotasTable,
    jobTable,
    scheduleTable,
    queueTable,
    jobAfterTable,
    pendingBoundTable,
    restoredTable,
    runnerTable,
    runnerSessionTable,
    slotTable,
    waitingRoleTable,
    servedRole,
    freshTransaction,
    armToken,
    mayArm,
    isAdmin,
    statements,
    jobPolicy,
    schedulePolicy,
    queuePolicy,
    cronField,
    nextOccurrence,
    executorSchema,
    executorTemplate,
    runnerFor,
    executorFor,
    carrierCommand,
    serviceCommand,
    unschedule,
    disarmCarriers,
    arm,
    busyCarriers,
    disarm,
    alive,
    stopRunner,
    stayWarm,
    queueRoom,
    blockedQueues,
    armWaiting,
    fairShare,
    overShare,
    claimSlot,
    releaseSlot,
    forgetRuns,
    ensureWatchdog,
    scrubSession,
    settleCarrier,
    armQueue,
    start,
    recordFailure,
    recordInterrupted,
    take,
    takeDue,
    passPromise,
    ride,
    takeNext,
    bindArgs,
    execute,
    run,
    watch,
    purgeInternal,
    restoredJob,
    retireRunner,
    rehome,
    scheduleOccurrence,
    scheduleChain,
    maintainSchedules,
    afterRecount,
    afterRepair,
    maintain,
    reboot,
    serviceJobs,
    settingsChanged,
    fireWaitingKey,
    jobBeforeInsert,
    jobArmAtCommit,
    jobBeforeUpdate,
    occurrenceStart,
    occurrenceEnd,
    scheduleBeforeWrite,
    scheduleAfterWrite,
    scheduleAfterDelete,
    jobQueuePlace,
    jobAfterEnd,
    queueAfterWrite,
    fireAt,
    fire,
    snooze,
    fireMany,
    status,
    wait,
    result,
    cancel,
    cancelByLabel,
    retry,
    schedule,
    unscheduleFn,
    pauseSchedule,
    resumeSchedule,
    runScheduleNow,
    setQueue,
    pauseQueue,
    resumeQueue,
    purge,
    userGrants,
    grantUsage,
    revokeUsage,
    jobsView,
    statsView,
    schedulesView,
    queuesView,
  ],
  // Every upgrade into the current version; those into earlier ones are released files in
  // dist-sql/ that never change (src/releases.json). The next one: src/upgrades/1.0.0--<next>.sql.
  upgrades: [from015, to110, to120, to121, to122],
  // The runner identities' group has USAGE on the schema too, for the runner's functions only.
  isUser: "a.grantee <> 'pgdispatch_runners'::pg_catalog.regrole",
};
