using System.Reflection;

namespace LspLlama.Cli;

internal sealed class VersionCommand : ICommand
{
    public string Name => "version";

    public string Summary => "print the version";

    /// <summary>The informational version (with the commit, when the build knew it).</summary>
    public static string Version { get; } = typeof(VersionCommand).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    public Task<int> RunAsync(ArgReader args)
    {
        args.EnsureAllUsed();
        Print();
        return Task.FromResult(0);
    }

    /// <summary>Writes <c>lspllama VERSION</c> to stdout, where scripts look for it (no server runs here).</summary>
    public static void Print()
    {
        using StreamWriter stdout = new(Console.OpenStandardOutput(), new System.Text.UTF8Encoding(false));
        stdout.WriteLine($"lspllama {Version}");
    }
}
