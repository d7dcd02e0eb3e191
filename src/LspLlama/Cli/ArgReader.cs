using System.Globalization;

namespace LspLlama.Cli;

/// <summary>
/// A small reader for `--name value` and `--flag` options. Unknown options are an error,
/// so a typo never silently falls back to a default.
/// </summary>
internal sealed class ArgReader
{
    private readonly List<string> _args;
    private readonly HashSet<int> _used = [];

    public ArgReader(IEnumerable<string> args) => _args = [.. args];

    public bool Flag(string name)
    {
        int i = _args.IndexOf(name);
        if (i < 0)
        {
            return false;
        }

        _used.Add(i);
        return true;
    }

    public string? Option(string name, string? alias = null)
    {
        int i = _args.IndexOf(name);
        if (i < 0 && alias is not null)
        {
            i = _args.IndexOf(alias);
        }

        if (i < 0)
        {
            return null;
        }

        if (i + 1 >= _args.Count)
        {
            throw new UsageException($"{name} needs a value");
        }

        _used.Add(i);
        _used.Add(i + 1);
        return _args[i + 1];
    }

    public int Int(string name, int fallback, string? alias = null)
    {
        string? v = Option(name, alias);
        if (v is null)
        {
            return fallback;
        }

        return int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n)
            ? n
            : throw new UsageException($"{name} takes a whole number, not '{v}'");
    }

    public double Double(string name, double fallback)
    {
        string? v = Option(name);
        if (v is null)
        {
            return fallback;
        }

        return double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) && double.IsFinite(x)
            ? x
            : throw new UsageException($"{name} takes a number, not '{v}'");
    }

    /// <summary>
    /// The arguments no option took and that do not start with '-' (call after reading every option);
    /// they count as used.
    /// </summary>
    public string[] Positional()
    {
        var values = new List<string>();
        for (int i = 0; i < _args.Count; i++)
        {
            if (!_used.Contains(i) && !_args[i].StartsWith('-'))
            {
                _used.Add(i);
                values.Add(_args[i]);
            }
        }

        return [.. values];
    }

    /// <summary>Call after reading every option: anything left over is a usage error.</summary>
    public void EnsureAllUsed()
    {
        for (int i = 0; i < _args.Count; i++)
        {
            if (!_used.Contains(i))
            {
                throw new UsageException($"unexpected argument '{_args[i]}'");
            }
        }
    }
}
