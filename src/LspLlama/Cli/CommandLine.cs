namespace LspLlama.Cli;

/// <summary>
/// The command table. Each command lives in its own file and is registered here with one line,
/// so that adding a command never touches another command's code.
/// </summary>
internal static class CommandLine
{
    private static readonly ICommand[] s_commands =
    [
        new ServeCommand(),
        new VersionCommand(),
        new BenchCommand(),
        new BenchLatencyCommand(),
        new MakeModelCommand(),
        new BenchPlanCommand(),
        new BenchSessionCommand(),
        new InspectCommand(),
        new DoctorCommand(),
    ];

    /// <summary>Commands that print their own, longer help for -h/--help.</summary>
    private static readonly HashSet<string> s_ownHelp = ["bench", "bench-plan"];

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length > 0 && args[0] is "-h" or "--help" or "help")
        {
            PrintUsage();
            return 0;
        }

        // --version after any command (or alone) prints the version and runs nothing.
        if (args.Contains("--version") || args is ["-V"])
        {
            VersionCommand.Print();
            return 0;
        }

        // `serve` is the default, so an editor can run plain `lspllama`.
        string name = args.Length == 0 || args[0].StartsWith('-') ? "serve" : args[0];
        string[] rest = args.Length == 0 || args[0].StartsWith('-') ? args : args[1..];
        ICommand? command = s_commands.FirstOrDefault(c => c.Name == name);
        if (command is null)
        {
            Console.Error.WriteLine($"lspllama: unknown command '{name}'.");
            PrintUsage();
            return 2;
        }

        if ((rest.Contains("-h") || rest.Contains("--help")) && !s_ownHelp.Contains(command.Name))
        {
            Console.Error.WriteLine($"usage: lspllama {command.Name} [options]");
            Console.Error.WriteLine($"  {command.Summary}");
            return 0;
        }

        try
        {
            return await command.RunAsync(new ArgReader(rest)).ConfigureAwait(false);
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"lspllama {name}: {e.Message}");
            return 2;
        }
    }

    private static void PrintUsage()
    {
        Console.Error.WriteLine("usage: lspllama [command] [options]   (default command: serve)");
        foreach (ICommand c in s_commands)
        {
            Console.Error.WriteLine($"  {c.Name,-14} {c.Summary}");
        }
    }
}

/// <summary>One subcommand of the executable.</summary>
internal interface ICommand
{
    string Name { get; }

    string Summary { get; }

    Task<int> RunAsync(ArgReader args);
}

/// <summary>A wrong command line: reported on stderr with exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
