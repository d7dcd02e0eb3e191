using System.Diagnostics;
using LspLlama.Core.Context;
using LspLlama.Core.Tokens;

namespace LspLlama.Bench;

/// <summary>Settings of one planning benchmark run.</summary>
public sealed record PlanBenchOptions(int Files, int Tokens, int Keystrokes, int Warmup, int Seed, IReadOnlyList<FimLayout> Layouts);

/// <summary>Figures of one layout: per keystroke, apply the edit, re-tokenize, re-plan and find the first changed token.</summary>
public sealed record PlanBenchResult(
    FimLayout Layout,
    int SuffixLines,
    int Keystrokes,
    int PlanTokens,
    double MicrosP50,
    double MicrosP99,
    double MicrosMax,
    double AllocatedBytesMean,
    double AllocatedBytesP50,
    double RedecodeP50,
    double RedecodeP99,
    double TokenizedCharsPerKeystroke,
    bool Exact,
    IReadOnlyList<PlanBenchKind> Kinds,
    double CpuMicrosP50,
    double CpuMicrosP99);

/// <summary>Cost of one kind of step (typing, new line, cursor jump, edit in another file).</summary>
public sealed record PlanBenchKind(string Kind, int Count, double MicrosP50, double MicrosP99, double RedecodeP50);

/// <summary>
/// Replays typing in one of many open files against the context plan and measures the cost of each
/// keystroke. The mix: typing a line of code character by character (with newlines), some backspaces,
/// a cursor jump every 120 keystrokes and an edit in another file every 250.
/// </summary>
public static class PlanBench
{
    private const string Typed = "        var subtotal = items.Where(x => x.Amount > 10).Sum(x => x.Amount * 2);\n        total += subtotal;\n";

    public static PlanBenchResult Run(ITokenizer tokenizer, IReadOnlyList<(string Path, string Text)> files, FimLayout layout, PlanBenchOptions options)
    {
        int totalTokens = files.Sum(f => tokenizer.Tokenize(f.Text).Length);
        var settings = new ContextSettings
        {
            ContextSize = Math.Max(8192, (totalTokens * 5 / 4) + 4096),
            GenerationReserve = 512,
            Layout = layout,
        };
        var plan = new ContextPlan(tokenizer, settings);
        for (int i = 0; i < files.Count; i++)
        {
            plan.Open(Uri(i), files[i].Path, files[i].Text);
        }

        var rng = new Random(options.Seed);
        string active = Uri(files.Count / 2);
        string text = files[files.Count / 2].Text;
        int cursor = LineStart(text, text.Length / 2);
        plan.SetActive(active, cursor);
        plan.Build();

        int total = options.Warmup + options.Keystrokes;
        var micros = new List<double>(options.Keystrokes);
        var alloc = new List<double>(options.Keystrokes);
        var redecode = new List<double>(options.Keystrokes);
        var kinds = new List<string>(options.Keystrokes);
        var cpuMicros = new List<double>(options.Keystrokes);
        int typedAt = 0;
        string[] typedChars = [.. Typed.Select(c => c.ToString())];

        (string, string?, int, int, string, int) NextStep(int k)
        {
            if (k % 250 == 249)
            {
                // An edit in another file: a comment line at a random line start.
                string other = Uri((files.Count / 2 + 1 + rng.Next(files.Count - 1)) % files.Count);
                string otherText = plan.GetText(other);
                return ("other-file edit", other, LineStart(otherText, rng.Next(otherText.Length)), 0, "// x\n", cursor);
            }

            if (k % 120 == 119)
            {
                string now = plan.GetText(active);
                return ("cursor jump", null, 0, 0, "", LineStart(now, rng.Next(now.Length)));
            }

            if (rng.Next(100) < 8 && cursor > 0 && plan.GetText(active)[cursor - 1] != '\n')
            {
                return ("typing", active, cursor - 1, 1, "", cursor - 1);
            }

            string typed = typedChars[typedAt];
            typedAt = (typedAt + 1) % Typed.Length;
            return (typed == "\n" ? "new line" : "typing", active, cursor, 0, typed, cursor + 1);
        }

        long tokenizedBefore = 0;
        int planTokens = 0;
        for (int k = 0; k < total; k++)
        {
            if (k == options.Warmup)
            {
                tokenizedBefore = plan.TokenizedChars;
            }

            // Choose the step and prepare its arguments outside the measured region: in the server the
            // edit text arrives from the client, so only the plan's own work is timed.
            (string kind, string? editUri, int editStart, int removed, string inserted, int newCursor) = NextStep(k);
            long cpu0 = PlanCpuClock.ThreadMicros();
            long bytes0 = GC.GetAllocatedBytesForCurrentThread();
            long t0 = Stopwatch.GetTimestamp();
            if (editUri is not null)
            {
                plan.Edit(editUri, editStart, removed, inserted);
            }

            plan.SetActive(active, newCursor);
            PlanBuild build = plan.Build();
            long t1 = Stopwatch.GetTimestamp();
            long bytes1 = GC.GetAllocatedBytesForCurrentThread();
            long cpu1 = PlanCpuClock.ThreadMicros();
            cursor = newCursor;
            if (k >= options.Warmup)
            {
                micros.Add(Stopwatch.GetElapsedTime(t0, t1).TotalMicroseconds);
                cpuMicros.Add(cpu1 - cpu0);
                alloc.Add(bytes1 - bytes0);
                redecode.Add(build.Tokens.Length - build.FirstChanged);
                kinds.Add(kind);
                planTokens = build.Tokens.Length;
            }
        }

        long tokenized = plan.TokenizedChars - tokenizedBefore;
        bool exact = Enumerable.Range(0, files.Count).All(i => plan.MatchesWholeTokenization(Uri(i)));
        return new PlanBenchResult(
            layout == FimLayout.Auto ? plan.Layout : layout, plan.SuffixLines, options.Keystrokes, planTokens,
            Percentile(micros, 0.5), Percentile(micros, 0.99), micros.Max(),
            alloc.Average(), Percentile(alloc, 0.5), Percentile(redecode, 0.5), Percentile(redecode, 0.99),
            (double)tokenized / options.Keystrokes, exact, Kinds(kinds, micros, redecode),
            cpuMicros[0] < 0 ? double.NaN : Percentile(cpuMicros, 0.5), cpuMicros[0] < 0 ? double.NaN : Percentile(cpuMicros, 0.99));
    }

    private static List<PlanBenchKind> Kinds(List<string> kinds, List<double> micros, List<double> redecode) =>
        [.. kinds.Distinct().Select(kind =>
        {
            List<double> m = [.. micros.Where((_, i) => kinds[i] == kind)];
            List<double> r = [.. redecode.Where((_, i) => kinds[i] == kind)];
            return new PlanBenchKind(kind, m.Count, Percentile(m, 0.5), Percentile(m, 0.99), Percentile(r, 0.5));
        })];

    private static string Uri(int i) => $"file:///bench/{i}.cs";

    private static int LineStart(string text, int offset) => text.LastIndexOf('\n', Math.Max(0, offset - 1)) + 1;

    private static double Percentile(List<double> values, double q)
    {
        double[] sorted = [.. values.Order()];
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
    }
}
