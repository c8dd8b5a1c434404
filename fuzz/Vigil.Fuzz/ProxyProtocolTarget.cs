using System.Net;
using Vigil.Proxy.Tcp;
using static Vigil.Fuzz.InvariantException;

namespace Vigil.Fuzz;

/// <summary>
/// The first bytes of a connection to an <c>accept_proxy</c> listener → <see cref="ProxyProtocolReader.TryParse"/>.
/// Checks that the verdict never changes as more bytes arrive (a header split across reads is judged
/// like a whole one), that Incomplete never asks for more than the connection buffers, and that a
/// header Vigil parsed and then writes on (send_proxy) parses back to the same addresses.
/// </summary>
internal static class ProxyProtocolTarget
{
    public static void Run(ReadOnlySpan<byte> input)
    {
        var data = input[..Math.Min(input.Length, ProxyProtocolReader.MaxHeaderLength + 1)];
        var status = ProxyProtocolReader.TryParse(data, out var header, out var consumed);
        switch (status)
        {
            case ProxyParseStatus.Incomplete:
                Check(data.Length < ProxyProtocolReader.MaxHeaderLength, "Incomplete with a full buffer");
                break;
            case ProxyParseStatus.Done:
                Check(consumed > 0 && consumed <= data.Length && consumed <= ProxyProtocolReader.MaxHeaderLength, $"consumed {consumed} of {data.Length}");
                Check(header.Source is null == header.Destination is null, "one address without the other");
                RoundTrip(header);
                break;
        }

        // Verdicts are monotonic: Incomplete for every prefix, then one final verdict that more bytes never change.
        var final = false;
        for (var k = 0; k <= data.Length; k++)
        {
            var s = ProxyProtocolReader.TryParse(data[..k], out var h, out var c);
            if (s == ProxyParseStatus.Incomplete)
            {
                Check(!final, $"Incomplete at {k} bytes after a verdict at fewer");
                continue;
            }
            Check(s == status, $"{s} at {k} bytes, {status} at {data.Length}");
            if (s == ProxyParseStatus.Done) Check(c == consumed && h == header, $"a different header at {k} bytes");
            final = true;
        }
    }

    private static void RoundTrip(ProxyHeader header)
    {
        if (!header.HasAddresses) return;
        Span<byte> buffer = stackalloc byte[ProxyProtocolWriter.MaxV1Length + ProxyProtocolWriter.MaxV2Length];
        foreach (var version in (ReadOnlySpan<ProxyProtocolVersion>)[ProxyProtocolVersion.V1, ProxyProtocolVersion.V2])
        {
            var n = ProxyProtocolWriter.Write(version, buffer, header.Source, header.Destination);
            var status = ProxyProtocolReader.TryParse(buffer[..n], out var back, out var consumed);
            Check(status == ProxyParseStatus.Done && consumed == n, $"{version} written from a parsed header does not parse: {status}");
            Check(SameAddress(back.Source!, header.Source!) && SameAddress(back.Destination!, header.Destination!),
                $"{version} round trip: {header.Source} > {header.Destination} came back as {back.Source} > {back.Destination}");
        }
    }

    // The writer turns IPv4-mapped IPv6 into IPv4 (one family per header), so compare the mapped forms.
    private static bool SameAddress(IPEndPoint a, IPEndPoint b) =>
        a.Port == b.Port && Normal(a.Address).Equals(Normal(b.Address));

    private static IPAddress Normal(IPAddress a) => a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a;
}
