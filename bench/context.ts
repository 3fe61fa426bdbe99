// What every scenario is given: the server, the run's size, pgbench, and a logger.
import type { Durability } from './db.js';
import type { Pgbench } from './pgbench.js';

export interface Options {
  readonly quick: boolean;
  /** Waiting cost over the whole 5 minutes instead of a 60-second window. */
  readonly full: boolean;
  readonly reps: number;
  /** Only these scenarios (by id), or all when empty. */
  readonly only: readonly string[];
}

export interface Context {
  readonly url: string;
  readonly options: Options;
  readonly pgbench: Pgbench;
  /** The durability settings to compare (both when the bench may change them), durable first. */
  readonly durabilities: readonly Durability[];
  log(message: string): void;
}
