// Reads a released install script back into its objects. The install script renders every model
// object as one block headed `-- <kind> <name>`, so a released script is the exact record of what
// that version's catalog holds: the generator compares it with the model to render an upgrade.
export interface Block {
  readonly kind: 'function' | 'procedure' | 'table' | 'view' | 'statement';
  readonly name: string;
  /** The block's SQL, without its header line. */
  readonly sql: string;
}

const HEADER = /^-- (function|procedure|table|view|statement) ([\w-]+)$/;

/** The blocks of an install script, in order (the file header is skipped). */
export function installBlocks(script: string): Block[] {
  const blocks: Block[] = [];
  for (const chunk of script.split(/\n\n(?=-- (?:function|procedure|table|view|statement) [\w-]+\n)/)) {
    const newline = chunk.indexOf('\n');
    const m = HEADER.exec(chunk.slice(0, newline));
    if (!m) continue;
    blocks.push({ kind: m[1] as Block['kind'], name: m[2]!, sql: chunk.slice(newline + 1).replace(/\n+$/, '') });
  }
  return blocks;
}

/** `pgdispatch.f(text, bigint)`: the identity of a function or procedure block, from its COMMENT. */
export function blockSignature(b: Block): string {
  const m = /^COMMENT ON (?:FUNCTION|PROCEDURE) (\S+\(.*?\)) IS /m.exec(b.sql);
  if (!m) throw new Error(`cannot find the signature of ${b.kind} ${b.name}`);
  return m[1]!;
}

/** The RETURNS clause of a function block ('' for a procedure). */
export function blockReturns(b: Block): string {
  return /^RETURNS (.*)$/m.exec(b.sql)?.[1] ?? '';
}

/** `DROP TRIGGER t ON tbl;` for every trigger a function block creates. */
export function blockTriggerDrops(b: Block): string[] {
  return [...b.sql.matchAll(/^CREATE (?:CONSTRAINT )?TRIGGER (\S+) .*?\bON (\S+)/gms)].map((m) => `DROP TRIGGER ${m[1]} ON ${m[2]};`);
}
