// Small constructors for the model, so that each file of src/ reads as a declaration.
import { readFileSync } from 'node:fs';
import type { FunctionDef, StatementDef, TableDef, ViewDef } from './types.js';

/** Reads a .sql file that sits beside the module that describes it. */
export function sqlFile(moduleUrl: string, name: string): string {
  return readFileSync(new URL(name, moduleUrl), 'utf8').replace(/\s+$/, '') + '\n';
}

/** Removes the common indentation of a template literal, so SQL in TS stays readable. */
export function dedent(text: string): string {
  const lines = text.replace(/^\n/, '').replace(/\s+$/, '').split('\n');
  const indents = lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)![0].length);
  const cut = Math.min(...indents);
  return lines.map((l) => l.slice(cut)).join('\n') + '\n';
}

export const fn = (d: Omit<FunctionDef, 'kind'>): FunctionDef => ({ kind: 'function', ...d });
export const proc = (d: Omit<FunctionDef, 'kind' | 'returns'>): FunctionDef => ({ kind: 'procedure', ...d });
export const table = (d: Omit<TableDef, 'kind'>): TableDef => ({ kind: 'table', ...d });
export const view = (d: Omit<ViewDef, 'kind'>): ViewDef => ({ kind: 'view', ...d });
export const statement = (name: string, sql: string): StatementDef => ({ kind: 'statement', name, sql });
