using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Vigil.Caching.Rules;

/// <summary>Secondary cache keys from Vary (RFC 9111 §4.1).</summary>
public static class VarySpec
{
    /// <summary>True when Vary lists "*": such a response never matches a later request (RFC 9111 §4.1).</summary>
    public static bool IsStar(StringValues vary)
    {
        for (var i = 0; i < vary.Count; i++)
        {
            var v = vary[i].AsSpan();
            while (!v.IsEmpty)
            {
                var comma = v.IndexOf(',');
                var item = (comma < 0 ? v : v[..comma]).Trim();
                if (item.SequenceEqual("*")) return true;
                v = comma < 0 ? default : v[(comma + 1)..];
            }
        }
        return false;
    }

    /// <summary>
    /// The listed field names, lower-cased, de-duplicated and sorted so that "Accept-Encoding, accept-encoding"
    /// and "accept-encoding" select the same variants; null when the response does not vary.
    /// </summary>
    public static string[]? Names(StringValues vary)
    {
        if (vary.Count == 0) return null;
        var names = new SortedSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < vary.Count; i++)
        {
            foreach (var part in (vary[i] ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                names.Add(part.ToLowerInvariant());
        }
        return names.Count == 0 ? null : [.. names];
    }

    /// <summary>The request's normalised values for the named fields; null marks an absent field.</summary>
    public static string?[] Capture(string[] names, IHeaderDictionary request)
    {
        var values = new string?[names.Length];
        for (var i = 0; i < names.Length; i++) values[i] = Normalize(request[names[i]]);
        return values;
    }

    /// <summary>Whether the request presents the same values as the stored request did (RFC 9111 §4.1).</summary>
    public static bool Matches(string[]? names, string?[]? stored, IHeaderDictionary request)
    {
        if (names is null) return true;
        for (var i = 0; i < names.Length; i++)
        {
            var value = request[names[i]];
            var expected = stored![i];
            if (value.Count == 0)
            {
                if (expected is not null) return false;
                continue;
            }
            if (expected is null) return false;
            // Fast path: a single line already in normal form compares without allocating.
            if (value.Count == 1 && string.Equals(value[0], expected, StringComparison.Ordinal)) continue;
            if (!string.Equals(Normalize(value), expected, StringComparison.Ordinal)) return false;
        }
        return true;
    }

    /// <summary>
    /// Joins field lines and removes whitespace around list commas, a normalisation "known to have identical
    /// semantics" for list-based fields (RFC 9111 §4.1).
    /// </summary>
    public static string? Normalize(StringValues value)
    {
        if (value.Count == 0) return null;
        var parts = new List<string>();
        for (var i = 0; i < value.Count; i++)
            parts.AddRange((value[i] ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
        return string.Join(',', parts);
    }
}
