// The public surface is complete by construction: every public SQL function has a client method
// (checked by the compiler in src/client/create-dispatch.ts) and a CLI command, or src/ says why not.
import { describe, expect, it } from 'vitest';
import { extension } from '../../src/extension.js';
import { commands } from '../../src/cli/commands.js';
import { cliCommandNames } from '../../src/client/generated/api.js';
import { surfaceProblems } from '../../generator/render-client-api.js';
import type { FunctionDef } from '../../src/model/types.js';

describe('the public surface', () => {
  it('every CLI command the model names exists', () => {
    const names = commands.map((c) => c.name);
    for (const c of cliCommandNames) expect(names, c).toContain(c);
  });

  it('a public function without a client method and CLI command (or a reason) is refused', () => {
    expect(surfaceProblems(extension)).toEqual([]);
    const bare: FunctionDef = { kind: 'function', name: 'frobnicate', args: [], returns: 'void', language: 'sql', security: 'invoker', body: 'SELECT', doc: 'x', audience: 'user' };
    expect(surfaceProblems({ ...extension, objects: [...extension.objects, bare] })[0]).toMatch(/frobnicate has no surface/);
  });
});
