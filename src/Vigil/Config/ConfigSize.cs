using System.Globalization;

namespace Vigil.Config;

/// <summary>
/// Byte sizes as operators write them: plain bytes (<c>1048576</c>), binary units <c>KiB MiB GiB TiB</c>
/// (1024-based) or decimal units <c>KB MB GB TB</c> (1000-based, as the SI says); <c>B</c> is bytes.
/// </summary>
public static class ConfigSize
{
    public static bool TryParse(string text, out long value, out string error)
    {
        value = 0;
        error = "";
        var s = text.Trim();
        var i = 0;
        while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.')) i++;
        if (i == 0)
        {
            error = s.StartsWith('-') ? "a size cannot be negative" : $"'{text}' is not a size (use 512KiB, 64MiB, 1GiB or bytes)";
            return false;
        }
        if (!decimal.TryParse(s.AsSpan(0, i), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            error = $"'{text}' is not a size (use 512KiB, 64MiB, 1GiB or bytes)";
            return false;
        }
        var unit = s[i..].Trim();
        decimal multiplier = unit switch
        {
            "" or "B" => 1m,
            "KiB" => 1L << 10,
            "MiB" => 1L << 20,
            "GiB" => 1L << 30,
            "TiB" => 1L << 40,
            "KB" or "kB" => 1_000m,
            "MB" => 1_000_000m,
            "GB" => 1_000_000_000m,
            "TB" => 1_000_000_000_000m,
            _ => 0m,
        };
        if (multiplier == 0)
        {
            error = $"'{text}' has an unknown unit '{unit}'" + Suggestion.Hint(unit, ["B", "KiB", "MiB", "GiB", "TiB", "KB", "MB", "GB", "TB"]);
            return false;
        }
        // Checked before multiplying: decimal overflows throw.
        if (number > long.MaxValue / 2 / multiplier)
        {
            error = $"'{text}' is too large";
            return false;
        }
        var bytes = number * multiplier;
        if (bytes != decimal.Truncate(bytes))
        {
            error = $"'{text}' is not a whole number of bytes";
            return false;
        }
        value = (long)bytes;
        return true;
    }

    /// <summary>The shortest binary-unit spelling, for messages and docs (<c>64MiB</c>).</summary>
    public static string Format(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        var u = 0;
        while (u < units.Length - 1 && bytes != 0 && bytes % 1024 == 0) { bytes /= 1024; u++; }
        return $"{bytes}{units[u]}";
    }
}
