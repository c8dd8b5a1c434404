using System.Text;
using Microsoft.AspNetCore.Http;

namespace Vigil.Proxy.Http.Upstream.Http1;

/// <summary>Copies a validated response head onto Kestrel's response, minus hop-by-hop and framing headers.</summary>
internal static class ResponseHeaders
{
    public static void Copy(ReadOnlySpan<byte> buffer, in ResponseHead head, HttpResponse response)
    {
        response.StatusCode = head.Status;
        var headers = response.Headers;
        var section = buffer[head.HeadersStart..head.Length];
        while (true)
        {
            var end = section.IndexOf((byte)'\n');
            var line = section[..end];
            section = section[(end + 1)..];
            if (!line.IsEmpty && line[^1] == (byte)'\r') line = line[..^1];
            if (line.IsEmpty) return;
            ResponseHead.SplitHeader(line, out var nameBytes, out var valueBytes); // validated by TryParse
            var name = HeaderName.Get(nameBytes);
            switch (name.Kind)
            {
                case HeaderKind.EndToEnd:
                    if (head.ConnectionNamesOthers && IsNominated(buffer, head, nameBytes)) continue;
                    // Append keeps repeated fields (Set-Cookie) as separate values.
                    headers.Append(name.Name, name.Value(valueBytes));
                    break;
                case HeaderKind.ContentLength:
                    // Framing is Kestrel's job on the client side; the length it must honour is this one.
                    // RFC 9110 §8.6: none on 204 (Kestrel refuses it); a 304 or HEAD answer may carry it.
                    if (head.Status != StatusCodes.Status204NoContent) response.ContentLength = head.ContentLength;
                    break;
                // Transfer-Encoding: decoded here, re-chunked by Kestrel if the client needs it.
                // Connection, Keep-Alive, Upgrade...: RFC 9110 §7.6.1, this hop only.
            }
        }
    }

    /// <summary>Whether a Connection header of this head names <paramref name="name"/> (RFC 9110 §7.6.1).</summary>
    private static bool IsNominated(ReadOnlySpan<byte> buffer, in ResponseHead head, ReadOnlySpan<byte> name)
    {
        var section = buffer[head.HeadersStart..head.Length];
        while (true)
        {
            var end = section.IndexOf((byte)'\n');
            var line = section[..end];
            section = section[(end + 1)..];
            if (!line.IsEmpty && line[^1] == (byte)'\r') line = line[..^1];
            if (line.IsEmpty) return false;
            ResponseHead.SplitHeader(line, out var lineName, out var value);
            if (!Ascii.EqualsIgnoreCase(lineName, "Connection"u8)) continue;
            foreach (var range in new TokenList(value))
                if (Ascii.EqualsIgnoreCase(value[range], name)) return true;
        }
    }
}
