using System.Text;

namespace Vigil.Tests.Hostile;

/// <summary>
/// One request as <see cref="HostileOrigin"/> parsed it off a connection: the head exactly as it came
/// (bytes), its fields, the body after de-chunking, and whatever the strict parser found ambiguous.
/// </summary>
public sealed class OriginRequest
{
    public required int Connection { get; init; }
    public required int Index { get; init; }
    public required string Method { get; init; }
    public required string Target { get; init; }
    public required IReadOnlyList<KeyValuePair<string, string>> Fields { get; init; }
    /// <summary>The head as received, through the blank line (Latin-1).</summary>
    public required string RawHead { get; init; }
    public byte[] Body { get; set; } = [];
    /// <summary>False while the body is still being read, or when the connection ended before its end.</summary>
    public bool Complete { get; set; }
    /// <summary>Things a careful server tolerates but a proxy ought never to forward (RFC 9112 §6.1, RFC 9110 §8.6).</summary>
    public List<string> Anomalies { get; } = [];

    public bool IsHead => Method == "HEAD";

    public IEnumerable<string> Values(string name) =>
        Fields.Where(f => f.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(f => f.Value);

    public string? Value(string name) => Values(name).FirstOrDefault();

    /// <summary>Whose request the origin believes this is: every X-Req value, in order ("smuggled,innocent-1" after a desync).</summary>
    public string Marker => string.Join(",", Values("X-Req").DefaultIfEmpty("none"));

    public override string ToString() =>
        $"#{Connection}.{Index} {Method} {Target} marker={Marker}{(Complete ? "" : " (incomplete)")}"
        + (Anomalies.Count > 0 ? $" anomalies=[{string.Join("; ", Anomalies)}]" : "")
        + $" body={Encoding.Latin1.GetString(Body).Replace("\r", "\\r").Replace("\n", "\\n")}";
}

/// <summary>Bytes the strict parser refused on a connection, with the reason (the origin answered 400 and closed).</summary>
public sealed record OriginParseError(int Connection, string Reason, string Raw, bool ProxysFault)
{
    public override string ToString() => $"#{Connection} refused{(ProxysFault ? "" : " (valid, but not taken)")}: {Reason} in \"{Raw.Replace("\r", "\\r").Replace("\n", "\\n")}\"";
}
