using LspLlama.Bench;

namespace LspLlama.Cli;

/// <summary>The command line of <c>lspllama bench --restart</c>.</summary>
internal static class BenchRestartArgs
{
    public static Task<int> RunAsync(ArgReader args)
    {
        if (args.Flag("--help") || args.Flag("-h"))
        {
            Console.Error.WriteLine("""
                usage: lspllama bench --restart [--context N] [--model FILE.gguf] [--json FILE]
                  Time to the first completion after a restart, with the session store and without it.
                  --context N      context size in tokens (default 32768); the workspace fills most of it
                  --model FILE     the model to serve (default: a tiny granitehybrid built for the run)
                  --model-like NAME  a real model's preset (make-model --like), built once and cached
                  --json FILE      also write {"restart":{"withStoreMs","withoutStoreMs","activeOnlyMs",
                                   "activeOnlyDecodedTokens","fileBytes"}}
                """);
            return Task.FromResult(0);
        }

        int contextSize = args.Int("--context", 32768);
        string? model = args.Option("--model");
        if (args.Option("--model-like") is string like)
        {
            model = BenchLatencyCommand.ModelLike(like, model);
        }

        string? json = args.Option("--json");
        args.EnsureAllUsed();
        if (contextSize < RestartBench.MinContextSize)
        {
            throw new UsageException("--context: at least 1024 tokens");
        }

        return RestartBench.RunAsync(contextSize, model, json);
    }
}
