// Upgrade scripts, pg_dispatch--<from>--<to>.sql, for the upgrades that lead to the current version
// (those to earlier versions are released, hence frozen files in dist-sql/; see releases.ts).
import type { ExtensionModel, UpgradeDef } from '../src/model/types.js';
import { sqlHeader } from './header.js';
import { literal, renderObjects } from './render-install.js';

export const upgradeFile = (model: ExtensionModel, u: UpgradeDef): string => `${model.name}--${u.from}--${u.to}.sql`;

export function renderUpgrade(model: ExtensionModel, u: UpgradeDef): string {
  const head =
    sqlHeader +
    `-- ${model.name} ${u.from} -> ${u.to}. Run by ALTER EXTENSION ${model.name} UPDATE; never edit once released.`;
  const body =
    'sql' in u
      ? [u.sql.replace(/\n$/, '')]
      : [
          `-- upgrade prologue\n${u.prologue.replace(/\n$/, '')}`,
          ...renderObjects(model, u.omit),
          `-- upgrade epilogue\n${u.epilogue.replace(/\n$/, '').replaceAll('{{EXTENSION_COMMENT}}', literal(model.comment))}`,
        ];
  return [head, ...body].join('\n\n') + '\n';
}
