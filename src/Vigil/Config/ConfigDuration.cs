using System.Globalization;

namespace Vigil.Config;

/// <summary>
/// Durations as operators write them: <c>250ms</c>, <c>2s</c>, <c>1.5s</c>, <c>1m</c>, <c>1h</c>, <c>1m30s</c>
/// (units ms, s, m, h, d); <c>0</c> alone needs no unit.
/// </summary>
public static class ConfigDuration
{
    /// <summary>About 10,000 years: beyond any timer, and far from TimeSpan's limit.</summary>
    private const decimal MaxMilliseconds = 315_360_000_000_000m;

    public static bool TryParse(string text, out TimeSpan value, out string error)
    {
        value = TimeSpan.Zero;
        error = "";
        var s = text.Trim();
        if (s.Length == 0) { error = "empty duration"; return false; }
        if (s == "0") return true;
        decimal totalMs = 0;
        var i = 0;
        var lastUnitRank = int.MaxValue;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.')) i++;
            if (i == start)
            {
                error = s[i] == '-' ? "a duration cannot be negative" : $"'{text}' is not a duration (use 250ms, 2s, 1m, 1h)";
                return false;
            }
            if (!decimal.TryParse(s.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                error = $"'{text}' is not a duration (use 250ms, 2s, 1m, 1h)";
                return false;
            }
            var unitStart = i;
            while (i < s.Length && char.IsAsciiLetter(s[i])) i++;
            var unit = s[unitStart..i];
            var (ms, rank) = unit switch
            {
                "ms" => (1m, 0),
                "s" => (1000m, 1),
                "m" => (60_000m, 2),
                "h" => (3_600_000m, 3),
                "d" => (86_400_000m, 4),
                _ => (0m, -1),
            };
            if (rank < 0)
            {
                error = unit.Length == 0
                    ? $"'{text}' needs a unit (ms, s, m, h), e.g. {s[start..i]}s"
                    : $"'{text}' has an unknown unit '{unit}' (use ms, s, m, h, d)";
                return false;
            }
            if (rank >= lastUnitRank)
            {
                error = $"'{text}': units must go from largest to smallest, each once (e.g. 1m30s)";
                return false;
            }
            lastUnitRank = rank;
            // Checked before multiplying: decimal overflows throw.
            if (number > MaxMilliseconds / ms || (totalMs += number * ms) > MaxMilliseconds)
            {
                error = $"'{text}' is too long";
                return false;
            }
        }
        // Sub-millisecond precision is meaningless for every timer Vigil runs.
        value = TimeSpan.FromTicks((long)(totalMs * TimeSpan.TicksPerMillisecond));
        return true;
    }

    /// <summary>The shortest spelling of a duration, for messages (<c>1.5s</c>, <c>250ms</c>).</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero) return "0";
        var ms = (decimal)value.Ticks / TimeSpan.TicksPerMillisecond;
        if (ms % 3_600_000 == 0) return $"{ms / 3_600_000}h";
        if (ms % 60_000 == 0) return $"{ms / 60_000}m";
        if (ms >= 1000) return (ms / 1000).ToString("0.###", CultureInfo.InvariantCulture) + "s";
        return ms.ToString("0.###", CultureInfo.InvariantCulture) + "ms";
    }
}
