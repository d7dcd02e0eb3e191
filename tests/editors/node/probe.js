// Starts the server, initializes it and prints which completion kinds it advertises as shell
// assignments: `inline=1 completion=0`. run.sh turns the completion tests on from this.
'use strict';
const { startServer } = require('./lib/server');

(async () => {
  const server = await startServer();
  try {
    const { capabilities } = await server.initialize();
    const on = (cap) => (cap !== undefined && cap !== null && cap !== false ? 1 : 0);
    process.stdout.write(`inline=${on(capabilities.inlineCompletionProvider)} completion=${on(capabilities.completionProvider)}\n`);
    await server.shutdown();
  } catch (e) {
    server.kill();
    throw e;
  }
})().catch((e) => {
  process.stderr.write(`probe failed: ${e.stack ?? e}\n`);
  process.exit(1);
});
