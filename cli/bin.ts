// dist/cli.js, the `gradlens` command: runs the CLI's bundle (dist/cliMain.js) through V8's code
// cache with the loader beside it (server/workerLoader.ts), as the check workers do. Compiling the
// 5.6 MB bundle was half of a start: `gradlens check` on one file took ~0.55 s, ~0.25 s now.

// (the loader, not bundled into this file: one copy, the one the workers run)
// eslint-disable-next-line @typescript-eslint/no-require-imports
const loader = require('./workerLoader.js') as { loadBundle(name: 'cli'): unknown };
(loader.loadBundle('cli') as { main(): void }).main();
