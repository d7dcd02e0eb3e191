using System.Diagnostics;
using LLama;
using LLama.Common;
using LspLlama.Core.Bench;
using LspLlama.Core.Session;
using LspLlama.Engine;
using LspLlama.Server.Settings;
using LspLlama.Llama;
using LspLlama.Models;
using LspLlama.Native;

namespace LspLlama.Bench;

/// <summary>
/// Replays one <see cref="SessionBenchScenario"/> under several checkpoint policies, each on a
/// fresh context of the same model, and totals what each decoded against the ideal.
/// </summary>
public static class SessionBench
{
    public static SessionBenchReport Run(SessionBenchOptions o, Action<string> log)
    {
        using StringWriter built = new();
        string modelPath = BenchModels.Resolve(o.ModelPath, o.ModelLike, new ModelBuildOptions { Arch = ModelArch.GraniteHybrid }, built);
        if (built.ToString().Trim() is { Length: > 0 } message)
        {
            log(message);
        }

        var scenario = SessionBenchScenario.Create(o);
        int longest = scenario.Steps.Max(s => s.Tokens.Length) + o.Generate + 1;

        // The server's parameters (one place builds them), for this scenario's context and batches.
        ModelParams parameters = LoadedModel.Parameters(modelPath, new ModelSettings(
            modelPath, ((longest + 255) / 256) * 256, o.BatchSize, o.MicroBatchSize, o.Threads, GpuLayers: 0));
        using LLamaWeights weights = LoadedModel.LoadWeights(parameters);
        var results = new List<SessionBenchResult>();
        string memory = "";
        foreach (string name in o.Policies)
        {
            using LLamaContext context = weights.CreateContext(parameters);
            var backend = new LlamaSessionBackend(context.NativeHandle);
            memory = backend.Probe.Describe();
            using var session = new ModelSession(backend, CheckpointPolicies.Create(name, o.Checkpoints));
            log($"{name}: initial decode of {scenario.Initial.Length} tokens ({memory})");
            results.Add(RunPolicy(name, session, scenario, o, log));
        }

        return new SessionBenchReport(o, Path.GetFileName(modelPath), memory, scenario.Initial.Length, results);
    }

    private static SessionBenchResult RunPolicy(string name, ModelSession session, SessionBenchScenario scenario, SessionBenchOptions o, Action<string> log)
    {
        long start = Stopwatch.GetTimestamp();
        SyncFigures initial = session.Sync(scenario.Initial, scenario.InitialHints, CancellationToken.None);
        double initialSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;

        var random = new Random(o.Seed);
        var totals = new Totals();
        foreach (SessionBenchStep step in scenario.Steps)
        {
            long t = Stopwatch.GetTimestamp();
            SyncFigures f = session.Sync(step.Tokens, step.Hints, CancellationToken.None);
            for (int g = 0; g < o.Generate; g++)
            {
                session.AppendGenerated(random.Next(256));
            }

            totals.Add(step.Kind, f, Stopwatch.GetElapsedTime(t).TotalSeconds);
        }

        log($"{name}: {totals.Decoded} tokens decoded for an ideal of {totals.Ideal} in {totals.Wall:F1} s");
        return totals.ToResult(name, initialSeconds, initial.Decoding.TotalSeconds, initial.Saving.TotalSeconds);
    }

    private sealed class Totals
    {
        public long Decoded;
        public long Ideal;
        public long TypeDecoded;
        public long TypeIdeal;
        public long EditDecoded;
        public long EditIdeal;
        public double Wall;
        public double Decoding;
        public double Saving;
        public double Restoring;
        public int Requests;
        public int FullReprocesses;
        public int MaxCheckpoints;
        public long MaxCheckpointBytes;
        public long Saves;
        public long Restores;
        public int Evictions;
        public readonly List<double> BytesCopied = [];

        public void Add(string kind, SyncFigures f, double wall)
        {
            Requests++;
            Decoded += f.Decoded;
            Ideal += f.Ideal;
            if (kind == "edit")
            {
                EditDecoded += f.Decoded;
                EditIdeal += f.Ideal;
            }
            else
            {
                TypeDecoded += f.Decoded;
                TypeIdeal += f.Ideal;
            }

            Wall += wall;
            Decoding += f.Decoding.TotalSeconds;
            Saving += f.Saving.TotalSeconds;
            Restoring += f.Restoring.TotalSeconds;
            FullReprocesses += f.FullReprocess ? 1 : 0;
            MaxCheckpoints = Math.Max(MaxCheckpoints, f.CheckpointCount);
            MaxCheckpointBytes = Math.Max(MaxCheckpointBytes, f.CheckpointBytes);
            Saves += f.CheckpointsSaved;
            Restores += f.Traffic.Restored;
            Evictions += f.Traffic.Evictions;
            BytesCopied.Add(f.Traffic.BytesCopied);
        }

        public SessionBenchResult ToResult(string name, double initialSeconds, double initialDecoding, double initialSaving) => new(
            name,
            Requests,
            Decoded,
            Ideal,
            Ideal == 0 ? 0 : (double)Decoded / Ideal,
            TypeDecoded,
            TypeIdeal,
            EditDecoded,
            EditIdeal,
            Wall,
            Decoding,
            Saving,
            Restoring,
            Decoding == 0 ? 0 : (Saving + Restoring) / Decoding,
            FullReprocesses,
            MaxCheckpoints,
            MaxCheckpointBytes,
            initialSeconds,
            initialDecoding == 0 ? 0 : initialSaving / initialDecoding,
            Saves,
            Restores,
            Evictions,
            Percentiles.Of(BytesCopied));
    }
}
