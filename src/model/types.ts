// The vocabulary in which src/ describes every SQL object of pg_dispatch once.
// generator/ turns a list of these into the install script, the pg_tle bundle,
// the client's declarations and the API reference (docs/reference.md): nothing is written twice.

/** Who may use an object once an admin has run `pgdispatch.grant_usage(role)`. */
export type Audience =
  /** Part of the public API: granted to every role allowed to use pg_dispatch. */
  | 'user'
  /** For the extension owner (and superusers) only; never granted. */
  | 'owner'
  /** Granted to the runner identities only: what a carrier's session calls (src/runner/runner-for.sql). */
  | 'runner';

export interface Arg {
  readonly name: string;
  readonly type: string;
  /** SQL default expression; evaluated in the caller's context (that is why search_path is an argument). */
  readonly default?: string;
  /** OUT parameters make up a function's record result. */
  readonly mode?: 'in' | 'out';
  readonly doc?: string;
  /** The client's type for it, when narrower than the SQL type's (e.g. `readonly unknown[]` for a jsonb array). */
  readonly ts?: string;
}

export interface Column {
  readonly name: string;
  readonly type: string;
  readonly nullable: boolean;
  readonly doc?: string;
  /** The client's type for it, when narrower than the SQL type's (e.g. `JobStatus` for a status). */
  readonly ts?: string;
}

export interface FunctionDef {
  readonly kind: 'function' | 'procedure';
  readonly name: string;
  readonly args: readonly Arg[];
  /** Return type of a function (`TABLE (...)` allowed); absent for procedures. */
  readonly returns?: string;
  readonly language: 'sql' | 'plpgsql';
  readonly volatility?: 'volatile' | 'stable' | 'immutable';
  readonly security: 'invoker' | 'definer';
  /**
   * Procedures that COMMIT cannot have a SET clause; they pin search_path in their body instead
   * and qualify every name. Everything else gets `SET search_path = pg_catalog, pg_temp`.
   */
  readonly pinsPathInBody?: boolean;
  /**
   * A SQL-standard body (BEGIN ATOMIC), parsed at creation: run by a runner identity, it needs no
   * USAGE on the schemas it names (cron), only the privileges on the objects themselves.
   */
  readonly atomic?: boolean;
  readonly strict?: boolean;
  readonly body: string;
  readonly doc: string;
  readonly audience: Audience;
  /** Shown in the API reference (public functions only). */
  readonly example?: string;
  /**
   * Public functions only (names without `_`): the client method and the CLI command that offer
   * it, or why there deliberately is none. The generator refuses a public function without one.
   */
  readonly surface?: { readonly client: string | { readonly absent: string }; readonly cli: string | { readonly absent: string } };
  /** For trigger functions: the trigger statement(s) created right after the function. */
  readonly triggers?: string;
}

export interface TableDef {
  readonly kind: 'table';
  readonly name: string;
  readonly doc: string;
  /** The CREATE TABLE statement and what belongs to it (indexes, RLS, policies), in SQL. */
  readonly ddl: string;
  readonly columns: readonly Column[];
  /**
   * For tables whose rows pg_dump must keep: the `pg_extension_config_dump` filter ('' for every
   * row). The sequence of an identity column is registered with it.
   */
  readonly dumpFilter?: string;
  /** Column privileges given to users by grant_usage, e.g. `INSERT (command, label)`. */
  readonly userGrants?: readonly string[];
}

export interface ViewDef {
  readonly kind: 'view';
  readonly name: string;
  readonly doc: string;
  readonly query: string;
  readonly columns: readonly Column[];
  readonly audience: Audience;
}

/** Any statement that has no better description (triggers, the preamble). */
export interface StatementDef {
  readonly kind: 'statement';
  readonly name: string;
  readonly sql: string;
}

export type SqlObject = FunctionDef | TableDef | ViewDef | StatementDef;

/**
 * The upgrade from pg_dispatch 0.1.x, whose catalog has nothing of this one's: the whole install
 * script wrapped in a hand-written `prologue` and `epilogue`, less the objects in `omit`.
 */
export interface WrapUpgrade {
  readonly from: string;
  readonly to: string;
  readonly prologue: string;
  readonly epilogue: string;
  readonly omit: readonly string[];
}

/**
 * An upgrade between two releases, pg_dispatch--<from>--<to>.sql, named by model object: the
 * generator renders the DDL, comments and grants of what it creates, replaces and drops, refreshes
 * every role's grants when the public surface changed, and checks the lists against the released
 * install script of `from` (so nothing changed is left out). Hand SQL is for data only.
 */
export interface DeltaUpgrade {
  readonly from: string;
  readonly to: string;
  /** Model objects that `from` did not have. */
  readonly creates?: readonly string[];
  /** Model objects whose SQL changed (functions, procedures, views). */
  readonly replaces?: readonly string[];
  /** Objects of `from` that the model no longer has. */
  readonly drops?: readonly string[];
  /**
   * Tables and statements changed in place by the hand SQL below (ALTER TABLE ...): DDL for them
   * cannot be derived, so they are named here and written in `before`.
   */
  readonly alters?: readonly string[];
  /** Hand SQL run before the rendered DDL: ALTER TABLE for `alters`, data to move. */
  readonly before?: string;
  /** Hand SQL run after it: data that needs the new functions. */
  readonly after?: string;
}

export type UpgradeDef = WrapUpgrade | DeltaUpgrade;

export interface ExtensionModel {
  readonly name: string;
  readonly schema: string;
  readonly version: string;
  readonly comment: string;
  readonly requires: readonly string[];
  readonly objects: readonly SqlObject[];
  /** Upgrade scripts into this and earlier versions; each one ships forever once released. */
  readonly upgrades: readonly UpgradeDef[];
  /**
   * SQL (a condition on `a.grantee`, the oid of a role with USAGE on the schema) that tells the
   * roles given grant_usage() from pg_dispatch's own roles that also have USAGE: an upgrade gives
   * the new surface only to the former.
   */
  readonly isUser?: string;
}
