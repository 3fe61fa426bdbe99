// pgdispatch: the command line. Each subcommand lives in a file of its own.
import { demo } from './demo.js';

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  const url = flag(rest, '--url');
  switch (command) {
    case 'demo':
      return demo(url ? { url } : {});
    default:
      console.error('usage: pgdispatch demo [--url postgres://...]');
      return 2;
  }
}

function flag(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`pgdispatch: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
