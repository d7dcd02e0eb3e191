using System.Reflection;

namespace LspLlama.Cli;

internal sealed class VersionCommand : ICommand
{
    public string Name => "version";

    public string Summary => "print the version";

    public Task<int> RunAsync(ArgReader args)
    {
        args.EnsureAllUsed();
        string version = typeof(VersionCommand).Assembly
            .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        Console.Error.WriteLine($"lspllama {version}");
        return Task.FromResult(0);
    }
}
