// A normalised dump of everything pg_dispatch puts in a database, one line per fact, sorted: the
// extension's row and requirements, its members, and for every object in its schemas the
// definition, owner, privileges (sorted: their order is only the order of the grants) and comment;
// plus its pg_cron jobs and its settings. Two databases with the same lines have the same
// pg_dispatch. OIDs never appear (executors are named after a role's OID: the role's name stands in).
import type pg from 'pg';

const dumpSql = String.raw`
WITH ext AS (
  SELECT e.oid, e.extname, e.extversion, e.extrelocatable, e.extnamespace, e.extowner, e.extconfig, e.extcondition
    FROM pg_catalog.pg_extension AS e
   WHERE e.oid = (SELECT d.refobjid FROM pg_catalog.pg_depend AS d
                   WHERE d.classid = 'pg_namespace'::regclass AND d.objid = to_regnamespace('pgdispatch')
                     AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e')
), nsp AS (
  SELECT n.oid, n.nspname, n.nspowner, n.nspacl FROM pg_catalog.pg_namespace AS n
   WHERE n.nspname IN ('pgdispatch', 'pgdispatch_exec')
)
SELECT line FROM (
  SELECT format('extension %s version=%s relocatable=%s namespace=%s owner=%s config=%s condition=%s comment=%s',
                e.extname, e.extversion, e.extrelocatable, e.extnamespace::regnamespace, e.extowner::regrole,
                (SELECT array_agg(c::regclass::text ORDER BY c::regclass::text) FROM unnest(e.extconfig) AS c),
                e.extcondition, obj_description(e.oid, 'pg_extension')) AS line
    FROM ext AS e
  UNION ALL
  SELECT format('requires %s', r.extname)
    FROM ext AS e JOIN pg_catalog.pg_depend AS d ON d.classid = 'pg_extension'::regclass AND d.objid = e.oid
    JOIN pg_catalog.pg_extension AS r ON d.refclassid = 'pg_extension'::regclass AND r.oid = d.refobjid
  UNION ALL
  SELECT format('member %s', pg_describe_object(d.classid, d.objid, d.objsubid))
    FROM ext AS e JOIN pg_catalog.pg_depend AS d
      ON d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid AND d.deptype = 'e'
  UNION ALL
  SELECT format('schema %s owner=%s acl=%s comment=%s', n.nspname, n.nspowner::regrole,
                (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM unnest(n.nspacl) AS x),
                obj_description(n.oid, 'pg_namespace'))
    FROM nsp AS n
  UNION ALL
  SELECT format(E'routine %s owner=%s acl=%s comment=%s\n%s', p.oid::regprocedure, p.proowner::regrole,
                (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM unnest(p.proacl) AS x),
                obj_description(p.oid, 'pg_proc'), pg_get_functiondef(p.oid))
    FROM pg_catalog.pg_proc AS p JOIN nsp AS n ON n.oid = p.pronamespace
  UNION ALL
  SELECT format('relation %s kind=%s persistence=%s owner=%s acl=%s options=%s rls=%s force_rls=%s comment=%s',
                c.oid::regclass, c.relkind, c.relpersistence, c.relowner::regrole,
                (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM unnest(c.relacl) AS x),
                c.reloptions, c.relrowsecurity, c.relforcerowsecurity, obj_description(c.oid, 'pg_class'))
    FROM pg_catalog.pg_class AS c JOIN nsp AS n ON n.oid = c.relnamespace
  UNION ALL
  SELECT format('column %s.%s #%s %s collation=%s notnull=%s default=%s identity=%s generated=%s acl=%s comment=%s',
                c.oid::regclass, a.attname, a.attnum, format_type(a.atttypid, a.atttypmod),
                CASE WHEN a.attcollation <> 0 THEN a.attcollation::regcollation::text END, a.attnotnull,
                pg_get_expr(ad.adbin, ad.adrelid), a.attidentity, a.attgenerated,
                (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM unnest(a.attacl) AS x),
                col_description(c.oid, a.attnum))
    FROM pg_catalog.pg_class AS c JOIN nsp AS n ON n.oid = c.relnamespace
    JOIN pg_catalog.pg_attribute AS a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    LEFT JOIN pg_catalog.pg_attrdef AS ad ON ad.adrelid = c.oid AND ad.adnum = a.attnum
  UNION ALL
  SELECT format('constraint %s.%s %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid))
    FROM pg_catalog.pg_constraint AS c JOIN nsp AS n ON n.oid = c.connamespace
  UNION ALL
  SELECT format('index %s', pg_get_indexdef(i.indexrelid))
    FROM pg_catalog.pg_index AS i JOIN pg_catalog.pg_class AS c ON c.oid = i.indexrelid
    JOIN nsp AS n ON n.oid = c.relnamespace
  UNION ALL
  SELECT format('trigger %s enabled=%s', pg_get_triggerdef(t.oid), t.tgenabled)
    FROM pg_catalog.pg_trigger AS t JOIN pg_catalog.pg_class AS c ON c.oid = t.tgrelid
    JOIN nsp AS n ON n.oid = c.relnamespace
   WHERE NOT t.tgisinternal
  UNION ALL
  SELECT format('policy %s.%s cmd=%s permissive=%s roles=%s using=%s check=%s', c.oid::regclass, p.polname,
                p.polcmd, p.polpermissive,
                (SELECT string_agg(CASE WHEN r = 0 THEN 'public' ELSE r::regrole::text END, ',' ORDER BY r) FROM unnest(p.polroles) AS r),
                pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid))
    FROM pg_catalog.pg_policy AS p JOIN pg_catalog.pg_class AS c ON c.oid = p.polrelid
    JOIN nsp AS n ON n.oid = c.relnamespace
  UNION ALL
  SELECT format(E'view %s\n%s', c.oid::regclass, pg_get_viewdef(c.oid))
    FROM pg_catalog.pg_class AS c JOIN nsp AS n ON n.oid = c.relnamespace WHERE c.relkind IN ('v', 'm')
  UNION ALL
  SELECT format('sequence %s type=%s start=%s increment=%s min=%s max=%s cache=%s cycle=%s',
                s.seqrelid::regclass, s.seqtypid::regtype, s.seqstart, s.seqincrement, s.seqmin, s.seqmax,
                s.seqcache, s.seqcycle)
    FROM pg_catalog.pg_sequence AS s JOIN pg_catalog.pg_class AS c ON c.oid = s.seqrelid
    JOIN nsp AS n ON n.oid = c.relnamespace
  UNION ALL
  SELECT format('type %s kind=%s', t.oid::regtype, t.typtype)
    FROM pg_catalog.pg_type AS t JOIN nsp AS n ON n.oid = t.typnamespace
   WHERE t.typrelid = 0 AND t.typelem = 0
  UNION ALL
  SELECT format(E'cron job %s schedule=%s user=%s active=%s database=%s\n%s',
                j.jobname, j.schedule, j.username, j.active, j.database, j.command)
    FROM cron.job AS j WHERE j.jobname LIKE 'pgdispatch\_%' AND j.jobname NOT LIKE 'pgdispatch\_job\_%'
  UNION ALL
  SELECT format('settings %s', to_jsonb(s)) FROM pgdispatch.settings AS s
) AS facts
ORDER BY line COLLATE "C"
`;

export async function catalogDump(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ line: string }>(dumpSql);
  const roles = await client.query<{ oid: string; rolname: string }>('SELECT oid::text, rolname FROM pg_roles');
  const byOid = new Map(roles.rows.map((r) => [r.oid, r.rolname]));
  return rows
    .map((r) => r.line.replace(/(run_as_|arm_|disarm_|carriers_|pgdispatch_runner_)(\d+)/g, (_, kind: string, oid: string) => `${kind}<${byOid.get(oid) ?? oid}>`))
    .sort();
}
