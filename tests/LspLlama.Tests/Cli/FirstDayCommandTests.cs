using LspLlama.Cli;
using LspLlama.ModelFiles;
using LspLlama.Tests.Support;
using Xunit;

namespace LspLlama.Tests.Cli;

/// <summary>What a new user runs first: --version, -h on any command, doctor, make-model into a new folder.</summary>
public sealed class FirstDayCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lspllama-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("--version")]
    [InlineData("serve", "--version")]
    [InlineData("make-model", "--version")]
    [InlineData("bench", "--version")]
    [InlineData("serve", "-h")]
    [InlineData("doctor", "--help")]
    [InlineData("make-model", "-h")]
    [InlineData("bench-latency", "-h")]
    [InlineData("bench-session", "--help")]
    [InlineData("version", "-h")]
    public async Task Version_and_help_answer_on_every_command_and_run_nothing(params string[] args) =>
        Assert.Equal(0, await CommandLine.RunAsync(args));

    [Fact]
    public async Task Make_model_creates_the_output_folder()
    {
        string output = Path.Combine(_dir, "new", "folder", "tiny.gguf");
        Assert.Equal(0, await CommandLine.RunAsync(["make-model", "--arch", "llama", "-o", output]));
        Assert.True(new FileInfo(output).Length > 0);
    }

    [Fact]
    public void Doctor_reports_each_part_of_a_working_set_up()
    {
        StringWriter text = new();
        DoctorReport report = new(text);
        DoctorCommand.Run(report, TinyModels.Get(TinyArch.GraniteHybrid), Path.Combine(_dir, "store"), "debug", EmptyLocator());
        string output = text.ToString();
        Assert.Equal(0, report.Problems);
        foreach (string line in new[] { "ok: server: lspllama ", "ok: model: ", "ok: vocabulary: ", "ok: memory: Hybrid", "ok: store folder: ", "ok: log level: debug" })
        {
            Assert.Contains(line, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Doctor_names_each_problem_and_counts_it()
    {
        StringWriter text = new();
        DoctorReport report = new(text);
        string blocker = Path.Combine(_dir, "a-file");
        File.WriteAllText(blocker, "not a folder");
        DoctorCommand.Run(report, _dir, Path.Combine(blocker, "store"), "loud", EmptyLocator());
        string output = text.ToString();
        Assert.Equal(3, report.Problems);
        Assert.Contains("problem: model: ", output, StringComparison.Ordinal);
        Assert.Contains("it is a folder, not a model file", output, StringComparison.Ordinal);
        Assert.Contains("problem: store folder: ", output, StringComparison.Ordinal);
        Assert.Contains("problem: log level: 'loud'", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Doctor_without_a_model_says_where_it_looked()
    {
        StringWriter text = new();
        DoctorReport report = new(text);
        DoctorCommand.Run(report, null, Path.Combine(_dir, "store"), null, EmptyLocator());
        Assert.Equal(1, report.Problems);
        Assert.Contains($"problem: model: none configured and none found in {_dir}", text.ToString(), StringComparison.Ordinal);
    }

    private ModelLocator EmptyLocator() => new([new ModelLocator.SearchRoot("test folder", _dir)]);
}
