namespace Vigil.Fuzz;

/// <summary>A fuzz target: takes any bytes; throws only when the code under test broke its contract.</summary>
internal delegate void Target(ReadOnlySpan<byte> input);

/// <summary>The targets by the name scripts/fuzz.sh and the corpus folders (fuzz/corpus/NAME) use.</summary>
internal static class Targets
{
    private static readonly Dictionary<string, Target> s_all = new(StringComparer.Ordinal)
    {
        ["http1-response"] = Http1ResponseTarget.Run,
        ["chunked"] = ChunkedTarget.Run,
        ["proxy-protocol"] = ProxyProtocolTarget.Run,
        ["vrrp"] = VrrpTarget.Run,
        ["config"] = ConfigTarget.Run,
    };

    public static IEnumerable<string> Names => s_all.Keys;

    public static bool TryGet(string name, out Target target) => s_all.TryGetValue(name, out target!);
}

/// <summary>A broken invariant: what afl-fuzz records as a crash, with the reason in the message.</summary>
internal sealed class InvariantException(string message) : Exception(message)
{
    public static void Check(bool holds, string what)
    {
        if (!holds) throw new InvariantException(what);
    }
}
