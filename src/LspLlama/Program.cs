using LspLlama.Cli;

// stdout is the LSP transport: nothing but protocol may be written to it.
// Every command logs to stderr; `serve` also mirrors logs to window/logMessage.
return await CommandLine.RunAsync(args).ConfigureAwait(false);
