using System.Diagnostics;
using System.Globalization;

namespace LspLlama.Bench;

/// <summary>
/// A progress bar on stderr while the replay runs: redrawn in place on a terminal (at most ten
/// times a second), or one line per quarter when stderr is redirected to a file.
/// </summary>
public sealed class ReportProgress(TextWriter err, bool interactive)
{
    private const int BarWidth = 30;
    private readonly Stopwatch _sinceDraw = Stopwatch.StartNew();
    private int _lastQuarter = -1;

    public static ReportProgress ForStandardError() => new(Console.Error, !Console.IsErrorRedirected);

    /// <summary>Reports <paramref name="done"/> of <paramref name="total"/> syncs of one policy.</summary>
    public void Update(string policy, int policyIndex, int policyCount, int done, int total)
    {
        double fraction = total == 0 ? 1 : (double)done / total;
        if (interactive)
        {
            if (done < total && _sinceDraw.ElapsedMilliseconds < 100)
            {
                return;
            }

            _sinceDraw.Restart();
            int filled = (int)Math.Round(fraction * BarWidth);
            err.Write(string.Create(CultureInfo.InvariantCulture,
                $"\r[{policyIndex + 1}/{policyCount}] {policy,-9} [{new string('#', filled)}{new string('.', BarWidth - filled)}] {done}/{total} syncs"));
            if (done == total)
            {
                err.Write('\n');
            }

            err.Flush();
            return;
        }

        int quarter = (int)(fraction * 4);
        if (quarter != _lastQuarter)
        {
            _lastQuarter = quarter;
            err.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{policyIndex + 1}/{policyCount}] {policy}: {done}/{total} syncs"));
        }

        if (done == total)
        {
            _lastQuarter = -1;
        }
    }
}
