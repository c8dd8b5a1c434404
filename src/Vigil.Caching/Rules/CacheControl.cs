using Microsoft.Extensions.Primitives;

namespace Vigil.Caching.Rules;

/// <summary>
/// The parsed Cache-Control of a request or a response (RFC 9111 §5.2). Parsing walks the field value as
/// spans and allocates only for the rare qualified <c>no-cache="..."</c> / <c>private="..."</c> forms.
/// Delta-seconds directives are -1 when absent.
/// </summary>
public readonly struct CacheControl
{
    public CacheDirectives Flags { get; init; }
    public int MaxAge { get; init; }
    public int SMaxAge { get; init; }
    public int MaxStale { get; init; }
    public int MinFresh { get; init; }
    public int StaleWhileRevalidate { get; init; }
    public int StaleIfError { get; init; }
    /// <summary>Field names of a qualified no-cache (RFC 9111 §5.2.2.4), comma separated.</summary>
    public string? NoCacheFields { get; init; }
    /// <summary>Field names of a qualified private (RFC 9111 §5.2.2.7), comma separated.</summary>
    public string? PrivateFields { get; init; }
    /// <summary>True when the field was present at all (Pragma is ignored then, RFC 9111 §5.4).</summary>
    public bool Present { get; init; }

    public static CacheControl Empty => new() { MaxAge = -1, SMaxAge = -1, MaxStale = -1, MinFresh = -1, StaleWhileRevalidate = -1, StaleIfError = -1 };

    public bool Has(CacheDirectives directive) => (Flags & directive) != 0;

    public static CacheControl Parse(StringValues values)
    {
        var b = new Builder();
        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i];
            if (!string.IsNullOrWhiteSpace(value))
            {
                b.Present = true;
                ParseInto(value.AsSpan(), ref b);
            }
        }
        return b.Build();
    }

    public static CacheControl Parse(string? value) => Parse(new StringValues(value));

    private static void ParseInto(ReadOnlySpan<char> s, ref Builder b)
    {
        var i = 0;
        while (i < s.Length)
        {
            while (i < s.Length && (s[i] == ',' || s[i] == ' ' || s[i] == '\t')) i++;
            if (i >= s.Length) break;
            var nameStart = i;
            while (i < s.Length && s[i] != '=' && s[i] != ',' && s[i] != ' ' && s[i] != '\t') i++;
            var name = s[nameStart..i];
            while (i < s.Length && (s[i] == ' ' || s[i] == '\t')) i++;
            ReadOnlySpan<char> arg = default;
            var hasArg = false;
            var quoted = false;
            if (i < s.Length && s[i] == '=')
            {
                i++;
                while (i < s.Length && (s[i] == ' ' || s[i] == '\t')) i++;
                hasArg = true;
                if (i < s.Length && s[i] == '"')
                {
                    quoted = true;
                    var start = ++i;
                    while (i < s.Length && s[i] != '"')
                    {
                        if (s[i] == '\\') i++; // quoted-pair (RFC 9110 §5.6.4)
                        i++;
                    }
                    arg = s[start..Math.Min(i, s.Length)];
                    if (i < s.Length) i++;
                }
                else
                {
                    var start = i;
                    while (i < s.Length && s[i] != ',' && s[i] != ' ' && s[i] != '\t') i++;
                    arg = s[start..i];
                }
            }
            // Anything up to the next comma is junk; skip it rather than misreading it as a directive.
            while (i < s.Length && s[i] != ',') i++;
            b.Apply(name, hasArg, quoted, arg);
        }
    }

    /// <summary>Parses delta-seconds (RFC 9111 §1.2.2): digits only, saturating at 2^31.</summary>
    internal static bool TryParseDeltaSeconds(ReadOnlySpan<char> s, out int seconds)
    {
        seconds = 0;
        if (s.IsEmpty) return false;
        long v = 0;
        foreach (var c in s)
        {
            if (c < '0' || c > '9') return false;
            if (v < int.MaxValue) v = v * 10 + (c - '0');
        }
        seconds = v > int.MaxValue ? int.MaxValue : (int)v;
        return true;
    }

    private struct Builder
    {
        public CacheDirectives Flags;
        public int MaxAge, SMaxAge, MaxStale, MinFresh, Swr, Sie;
        public bool SeenMaxAge, SeenSMaxAge, SeenMaxStale, SeenMinFresh, SeenSwr, SeenSie;
        public string? NoCacheFields, PrivateFields;
        public bool Present;

        public void Apply(ReadOnlySpan<char> name, bool hasArg, bool quoted, ReadOnlySpan<char> arg)
        {
            // When a directive repeats, the first occurrence wins (RFC 9111 §4.2.1).
            if (Is(name, "max-age")) Delta(ref MaxAge, ref SeenMaxAge, hasArg, arg, invalidAs: 0);
            else if (Is(name, "s-maxage")) Delta(ref SMaxAge, ref SeenSMaxAge, hasArg, arg, invalidAs: 0);
            else if (Is(name, "no-cache"))
            {
                if (hasArg && quoted && !arg.Trim().IsEmpty) NoCacheFields ??= arg.ToString();
                else Flags |= CacheDirectives.NoCache;
            }
            else if (Is(name, "no-store")) Flags |= CacheDirectives.NoStore;
            else if (Is(name, "private"))
            {
                if (hasArg && quoted && !arg.Trim().IsEmpty) PrivateFields ??= arg.ToString();
                else Flags |= CacheDirectives.Private;
            }
            else if (Is(name, "public")) Flags |= CacheDirectives.Public;
            else if (Is(name, "must-revalidate")) Flags |= CacheDirectives.MustRevalidate;
            else if (Is(name, "proxy-revalidate")) Flags |= CacheDirectives.ProxyRevalidate;
            else if (Is(name, "max-stale"))
            {
                if (!hasArg) Flags |= CacheDirectives.MaxStaleAny;
                else Delta(ref MaxStale, ref SeenMaxStale, hasArg, arg, invalidAs: -1);
            }
            else if (Is(name, "min-fresh")) Delta(ref MinFresh, ref SeenMinFresh, hasArg, arg, invalidAs: -1);
            else if (Is(name, "only-if-cached")) Flags |= CacheDirectives.OnlyIfCached;
            else if (Is(name, "immutable")) Flags |= CacheDirectives.Immutable;
            else if (Is(name, "must-understand")) Flags |= CacheDirectives.MustUnderstand;
            else if (Is(name, "no-transform")) Flags |= CacheDirectives.NoTransform;
            else if (Is(name, "stale-while-revalidate")) Delta(ref Swr, ref SeenSwr, hasArg, arg, invalidAs: -1);
            else if (Is(name, "stale-if-error")) Delta(ref Sie, ref SeenSie, hasArg, arg, invalidAs: -1);
            // Unknown extensions are ignored (RFC 9111 §5.2.3).
        }

        private static void Delta(ref int field, ref bool seen, bool hasArg, ReadOnlySpan<char> arg, int invalidAs)
        {
            if (seen) return;
            seen = true;
            // An invalid max-age/s-maxage makes the response stale (RFC 9111 §4.2.1: "encouraged to consider
            // responses that have invalid freshness information to be stale"); other invalid values are ignored.
            field = hasArg && TryParseDeltaSeconds(arg, out var v) ? v : invalidAs;
        }

        private static bool Is(ReadOnlySpan<char> name, string directive) =>
            name.Equals(directive, StringComparison.OrdinalIgnoreCase);

        public readonly CacheControl Build() => new()
        {
            Flags = Flags,
            MaxAge = SeenMaxAge ? MaxAge : -1,
            SMaxAge = SeenSMaxAge ? SMaxAge : -1,
            MaxStale = SeenMaxStale ? MaxStale : -1,
            MinFresh = SeenMinFresh ? MinFresh : -1,
            StaleWhileRevalidate = SeenSwr ? Swr : -1,
            StaleIfError = SeenSie ? Sie : -1,
            NoCacheFields = NoCacheFields,
            PrivateFields = PrivateFields,
            Present = Present,
        };
    }
}
