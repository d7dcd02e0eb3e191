using System.Text.Json;
using LspLlama.Server.Settings;
using Microsoft.Extensions.Logging;
using Xunit;

namespace LspLlama.Tests.Protocol;

public sealed class SettingsBinderTests
{
    [Theory]
    [InlineData("""{"log":{"level":"debug"}}""", LogLevel.Debug)]
    [InlineData("""{"lspllama":{"log":{"level":"WARN"}}}""", LogLevel.Warning)]
    [InlineData("""{"log":{"level":"Error"},"model":{"path":"x"},"tool":{"a":1}}""", LogLevel.Error)]
    [InlineData("""{"other":{"log":{"level":"debug"}}}""", LogLevel.Information)]
    [InlineData("""{}""", LogLevel.Information)]
    [InlineData("""null""", LogLevel.Information)]
    public void Binds_known_keys_and_ignores_the_rest(string json, LogLevel expected)
    {
        SettingsProblems problems = new();
        ServerSettings settings = SettingsBinder.Apply(ServerSettings.Default, JsonDocument.Parse(json).RootElement, problems);
        Assert.Equal(expected, settings.Log.Level);
        Assert.Empty(problems.Warnings);
    }

    [Theory]
    [InlineData("""{"log":{"level":"loud"}}""")]
    [InlineData("""{"log":{"level":3}}""")]
    [InlineData("""{"log":"debug"}""")]
    [InlineData("""{"lspllama":[]}""")]
    [InlineData("""[1,2]""")]
    public void A_bad_value_warns_and_keeps_the_previous_settings(string json)
    {
        ServerSettings previous = ServerSettings.Default with { Log = new LogSettings(LogLevel.Trace) };
        SettingsProblems problems = new();
        ServerSettings settings = SettingsBinder.Apply(previous, JsonDocument.Parse(json).RootElement, problems);
        Assert.Equal(previous, settings);
        Assert.Single(problems.Warnings);
    }

    [Theory]
    [InlineData("""{"context":{"lowWaterFraction":0.7}}""", "context.lowWaterFraction")]
    [InlineData("""{"context":{"activeFraction":0.5,"suffixLines":4}}""", "context.activeFraction")]
    [InlineData("""{"log":{"level":"debug","colour":true}}""", "log.colour")]
    public void A_key_no_section_reads_warns_that_it_is_ignored_and_the_rest_still_binds(string json, string key)
    {
        SettingsProblems problems = new();
        ServerSettings settings = SettingsBinder.Apply(ServerSettings.Default, JsonDocument.Parse(json).RootElement, problems);
        Assert.Equal($"{key}: not a setting this server reads; ignored", Assert.Single(problems.Warnings));
        Assert.True(settings.Context.Plan.SuffixLines is null or 4);
        Assert.Equal(json.Contains("debug", StringComparison.Ordinal) ? LogLevel.Debug : LogLevel.Information, settings.Log.Level);
    }

    [Fact]
    public void The_cursor_line_placement_binds_and_a_non_boolean_warns()
    {
        SettingsProblems problems = new();
        ServerSettings off = SettingsBinder.Apply(ServerSettings.Default, JsonDocument.Parse("""{"context":{"cursorLineInMiddle":false}}""").RootElement, problems);
        Assert.True(ServerSettings.Default.Context.Plan.CursorLineInMiddle);
        Assert.False(off.Context.Plan.CursorLineInMiddle);
        Assert.Empty(problems.Warnings);

        ServerSettings kept = SettingsBinder.Apply(off, JsonDocument.Parse("""{"context":{"cursorLineInMiddle":"yes"}}""").RootElement, problems);
        Assert.False(kept.Context.Plan.CursorLineInMiddle);
        Assert.Contains("context.cursorLineInMiddle", Assert.Single(problems.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void Keeping_closed_files_binds()
    {
        SettingsProblems problems = new();
        ServerSettings off = SettingsBinder.Apply(ServerSettings.Default, JsonDocument.Parse("""{"context":{"keepClosedFiles":false}}""").RootElement, problems);
        Assert.True(ServerSettings.Default.Context.Plan.KeepClosedFiles);
        Assert.False(off.Context.Plan.KeepClosedFiles);
        Assert.Empty(problems.Warnings);
    }

    [Fact]
    public void The_prompt_format_binds_by_name_null_means_auto_and_an_unknown_name_warns()
    {
        SettingsProblems problems = new();
        ServerSettings set = SettingsBinder.Apply(ServerSettings.Default, JsonDocument.Parse("""{"context":{"format":"CodeGemma"}}""").RootElement, problems);
        Assert.Equal("auto", ServerSettings.Default.Context.Plan.Format);
        Assert.Equal("codegemma", set.Context.Plan.Format);
        Assert.Empty(problems.Warnings);

        ServerSettings back = SettingsBinder.Apply(set, JsonDocument.Parse("""{"context":{"format":null}}""").RootElement, problems);
        Assert.Equal("auto", back.Context.Plan.Format);

        ServerSettings kept = SettingsBinder.Apply(set, JsonDocument.Parse("""{"context":{"format":"gpt"}}""").RootElement, problems);
        Assert.Equal("codegemma", kept.Context.Plan.Format);
        Assert.Contains("context.format: 'gpt' is not one of auto, codestral", Assert.Single(problems.Warnings), StringComparison.Ordinal);
    }
}
