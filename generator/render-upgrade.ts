// Upgrade scripts, pg_dispatch--<from>--<to>.sql, for the upgrades that lead to the current version
// (those to earlier versions are released, hence frozen files in dist-sql/; see releases.ts).
// A delta upgrade names model objects; this file renders their DDL and checks the names against
// what really differs between the released install script of `from` and the model now.
import type { DeltaUpgrade, ExtensionModel, SqlObject, UpgradeDef } from '../src/model/types.js';
import { sqlHeader } from './header.js';
import { blockReturns, blockSignature, blockTriggerDrops, installBlocks, type Block } from './install-blocks.js';
import { literal, renderObject, renderObjects } from './render-install.js';

export const upgradeFile = (model: ExtensionModel, u: UpgradeDef): string => `${model.name}--${u.from}--${u.to}.sql`;

export interface RenderedUpgrade {
  readonly sql: string;
  /** What the upgrade's lists get wrong; the generator writes nothing while there are any. */
  readonly problems: string[];
}

const isRoutine = (o: { kind: string }): boolean => o.kind === 'function' || o.kind === 'procedure';
const userFacing = (o: SqlObject): boolean => (isRoutine(o) || o.kind === 'view') && 'audience' in o && o.audience === 'user';

/** What differs between a released install script and the model: the lists an upgrade must give. */
export function diffAgainst(model: ExtensionModel, previous: readonly Block[]) {
  const old = new Map(previous.map((b) => [b.name, b]));
  const now = new Set(model.objects.map((o) => o.name));
  const creates: string[] = [];
  const changes: string[] = [];
  for (const o of model.objects) {
    const b = old.get(o.name);
    if (!b) creates.push(o.name);
    else if (b.sql !== renderObject(model, o)) changes.push(o.name);
  }
  const drops = previous.filter((b) => !now.has(b.name)).map((b) => b.name);
  return { creates, changes, drops };
}

function checkLists(model: ExtensionModel, u: DeltaUpgrade, previous: readonly Block[]): string[] {
  const file = `src/upgrades/${u.from}--${u.to}.ts`;
  const d = diffAgainst(model, previous);
  const problems: string[] = [];
  const same = (what: string, listed: readonly string[] = [], actual: readonly string[]): void => {
    for (const n of actual) if (!listed.includes(n)) problems.push(`${file}: ${n} ${what} since ${u.from}: add '${n}' to ${what === 'is new' ? 'creates' : what === 'is gone' ? 'drops' : 'replaces (or alters, for a table)'}`);
  };
  same('is new', u.creates, d.creates);
  same('is gone', u.drops, d.drops);
  same('changed', [...(u.replaces ?? []), ...(u.alters ?? [])], d.changes);
  const all = [...d.creates, ...d.drops, ...d.changes];
  for (const n of [...(u.creates ?? []), ...(u.drops ?? []), ...(u.replaces ?? []), ...(u.alters ?? [])]) {
    if (!all.includes(n)) problems.push(`${file}: '${n}' is listed, but it did not change since ${u.from}: remove it`);
  }
  for (const n of u.replaces ?? []) {
    const o = model.objects.find((x) => x.name === n);
    if (o && (o.kind === 'table' || o.kind === 'statement')) {
      problems.push(`${file}: ${o.kind} ${n} cannot be replaced: list it in alters and change it with SQL in before`);
    }
  }
  return problems;
}

/** A changed routine: CREATE OR REPLACE when its identity and result stay, else drop and create. */
function replaceRoutine(model: ExtensionModel, o: SqlObject, b: Block): { drop: string[]; create: string } {
  const full = renderObject(model, o);
  const now = { ...b, sql: full };
  const sameIdentity = blockSignature(b) === blockSignature(now) && blockReturns(b) === blockReturns(now);
  const oldTriggers = blockTriggerDrops(b).join('\n');
  // (CREATE TRIGGER or CREATE CONSTRAINT TRIGGER: the first line of the triggers, if any.)
  const triggersAt = (sql: string): number => sql.search(/^CREATE (CONSTRAINT )?TRIGGER /m);
  const triggersOf = (sql: string): string => (triggersAt(sql) < 0 ? '' : sql.slice(triggersAt(sql)));
  const triggersSame = oldTriggers === blockTriggerDrops(now).join('\n') && triggersOf(b.sql) === triggersOf(full);
  if (sameIdentity) {
    // The function keeps its oid, so grants, triggers and dependent views stay as they are.
    let sql = full.replace(/^CREATE (FUNCTION|PROCEDURE)/, 'CREATE OR REPLACE $1');
    if (triggersSame && triggersAt(full) >= 0) sql = sql.slice(0, triggersAt(sql) - 1);
    return { drop: triggersSame ? [] : blockTriggerDrops(b), create: sql };
  }
  const kindWord = b.kind === 'function' ? 'FUNCTION' : 'PROCEDURE';
  return { drop: [...blockTriggerDrops(b), `DROP ${kindWord} ${blockSignature(b)};`], create: full };
}

function dropBlock(model: ExtensionModel, b: Block): string {
  switch (b.kind) {
    case 'function':
    case 'procedure':
      return [...blockTriggerDrops(b), `DROP ${b.kind.toUpperCase()} ${blockSignature(b)};`].join('\n');
    case 'view':
      return `DROP VIEW ${model.schema}.${b.name};`;
    case 'table':
      return `DROP TABLE ${model.schema}.${b.name};`;
    case 'statement':
      throw new Error(`statement ${b.name} cannot be dropped by the generator: undo it in the upgrade's before SQL`);
  }
}

/** Every role that has usage gets the grants of the new surface (user-facing objects made anew). */
function refreshGrants(model: ExtensionModel): string {
  return [
    'DO $refresh_grants$',
    'DECLARE',
    '  grantee name;',
    '  grant_sql text;',
    'BEGIN',
    '  FOR grantee IN',
    '    SELECT r.rolname',
    '      FROM pg_catalog.pg_namespace AS n',
    '     CROSS JOIN LATERAL pg_catalog.aclexplode(n.nspacl) AS a',
    '      JOIN pg_catalog.pg_roles AS r ON r.oid = a.grantee',
    `     WHERE n.nspname = ${literal(model.schema)} AND a.privilege_type = 'USAGE' AND a.grantee <> n.nspowner${model.isUser ? `\n       AND ${model.isUser}` : ''}`,
    '  LOOP',
    `    FOREACH grant_sql IN ARRAY ${model.schema}._user_grants() LOOP`,
    "      EXECUTE pg_catalog.format(grant_sql, 'GRANT', 'TO', grantee);",
    '    END LOOP;',
    '  END LOOP;',
    'END',
    '$refresh_grants$;',
  ].join('\n');
}

function renderDelta(model: ExtensionModel, u0: DeltaUpgrade, previous: readonly Block[]): string[] {
  const old = new Map(previous.map((b) => [b.name, b]));
  // A view stores the columns its query expanded to (j.* included) when it was made: after a table
  // changed, every view is made anew, even one whose text is the same.
  const views = u0.alters?.length ? model.objects.filter((o) => o.kind === 'view' && old.has(o.name)).map((o) => o.name) : [];
  const u: DeltaUpgrade = { ...u0, replaces: [...new Set([...(u0.replaces ?? []), ...views])] };
  const parts: string[] = [];
  if (u.before) parts.push(`-- upgrade: before (hand-written)\n${u.before.replace(/\n$/, '')}`);
  // Views first: a replaced view may depend on a routine whose identity changes.
  const drops: string[] = [];
  for (const n of u.replaces ?? []) if (old.get(n)?.kind === 'view') drops.push(`DROP VIEW ${model.schema}.${n};`);
  for (const b of [...previous].reverse()) if ((u.drops ?? []).includes(b.name)) drops.push(dropBlock(model, b));
  const bodies: string[] = [];
  for (const o of model.objects) {
    if ((u.creates ?? []).includes(o.name)) bodies.push(`-- ${o.kind} ${o.name} (new)\n${renderObject(model, o)}`);
    else if ((u.replaces ?? []).includes(o.name)) {
      const b = old.get(o.name)!;
      if (isRoutine(o)) {
        const r = replaceRoutine(model, o, b);
        drops.push(...r.drop);
        bodies.push(`-- ${o.kind} ${o.name} (changed)\n${r.create}`);
      } else bodies.push(`-- ${o.kind} ${o.name} (changed)\n${renderObject(model, o)}`);
    }
  }
  if (drops.length) parts.push(`-- upgrade: what goes, or is made anew\n${drops.join('\n')}`);
  parts.push(...bodies);
  if (u.after) parts.push(`-- upgrade: after (hand-written)\n${u.after.replace(/\n$/, '')}`);
  const surfaceChanged =
    model.objects.some((o) => userFacing(o) && ((u.creates ?? []).includes(o.name) || (u.replaces ?? []).includes(o.name)))
    || (u.replaces ?? []).includes('_user_grants');
  if (surfaceChanged) parts.push(`-- upgrade: every role given grant_usage gets the new surface\n${refreshGrants(model)}`);
  return parts;
}

/**
 * The script of an upgrade into the current version. `previousInstall` is the released install
 * script of `u.from` (delta upgrades only).
 */
export function renderUpgrade(model: ExtensionModel, u: UpgradeDef, previousInstall?: string): RenderedUpgrade {
  const head =
    sqlHeader +
    `-- ${model.name} ${u.from} -> ${u.to}. Run by ALTER EXTENSION ${model.name} UPDATE; never edit once released.`;
  if ('prologue' in u) {
    const body = [
      `-- upgrade prologue\n${u.prologue.replace(/\n$/, '')}`,
      ...renderObjects(model, u.omit),
      `-- upgrade epilogue\n${u.epilogue.replace(/\n$/, '').replaceAll('{{EXTENSION_COMMENT}}', literal(model.comment))}`,
    ];
    return { sql: [head, ...body].join('\n\n') + '\n', problems: [] };
  }
  if (previousInstall === undefined) {
    return { sql: '', problems: [`dist-sql/${model.name}--${u.from}.sql is missing: an upgrade from ${u.from} is rendered against it`] };
  }
  const previous = installBlocks(previousInstall);
  const problems = checkLists(model, u, previous);
  if (problems.length) return { sql: '', problems };
  const body = renderDelta(model, u, previous);
  return { sql: [head, ...body].join('\n\n') + '\n', problems };
}

