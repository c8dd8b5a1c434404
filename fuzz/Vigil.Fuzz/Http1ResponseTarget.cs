using System.Buffers;
using Microsoft.AspNetCore.Http;
using Vigil.Proxy.Http.Upstream.Http1;
using static Vigil.Fuzz.InvariantException;

namespace Vigil.Fuzz;

/// <summary>
/// Bytes a backend sends → <see cref="ResponseHead.TryParse"/>, interim 1xx heads skipped as
/// Http1Exchange does, the final head copied onto a response, a chunked body decoded.
/// Input: byte 0 bit 0 says whether the request was HEAD; the rest is the backend's stream.
/// </summary>
internal static class Http1ResponseTarget
{
    private const int MaxInterim = 64;

    public static void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty) return;
        var requestIsHead = (input[0] & 1) != 0;
        var stream = input[1..];
        for (var interim = 0; interim < MaxInterim; interim++)
        {
            var status = ResponseHead.TryParse(stream, requestIsHead, out var head);
            if (status != ParseStatus.Done) return;
            CheckHead(stream, requestIsHead, head);
            if (head.Status >= 200)
            {
                ResponseHeaders.Copy(stream, head, new DefaultHttpContext().Response);
                if (head.Framing == BodyFraming.Chunked) ChunkedTarget.DecodeWhole(stream[head.Length..]);
                return;
            }
            stream = stream[head.Length..];
        }
    }

    private static void CheckHead(ReadOnlySpan<byte> stream, bool requestIsHead, in ResponseHead head)
    {
        Check(head.Length > head.HeadersStart && head.HeadersStart > 0 && head.Length <= stream.Length, "head length outside the input");
        Check(head.Status is >= 100 and <= 999, $"status {head.Status}");
        Check(head.ContentLength >= 0, "negative Content-Length");
        Check(head.Framing != BodyFraming.ContentLength || head.ContentLength > 0, "Content-Length framing with no length");
        Check(head.Framing != BodyFraming.UntilClose || !head.KeepAlive, "a close-delimited body on a kept connection");
        Check(!(requestIsHead || head.Status is < 200 or 204 or 304) || head.Framing == BodyFraming.None, "a body where RFC 9112 §6.3 allows none");

        CheckFraming(stream[head.HeadersStart..head.Length], head);

        // What follows the head is the body's: the head alone parses to the same result.
        var again = ResponseHead.TryParse(stream[..head.Length], requestIsHead, out var alone);
        Check(again == ParseStatus.Done && Same(head, alone), "the head parses differently without the bytes after it");

        // A head that arrives in pieces is never judged before it is whole: every shorter prefix is
        // Incomplete. (Long heads: a sample of prefixes, so one run stays fast.)
        var step = head.Length <= 2048 ? 1 : head.Length / 512;
        for (var k = 0; k < head.Length; k += step)
            Check(ResponseHead.TryParse(stream[..k], requestIsHead, out _) == ParseStatus.Incomplete, $"a {k}-byte prefix of a {head.Length}-byte head is not Incomplete");
    }

    /// <summary>
    /// Reads the header section again, naively, and holds the verdict to RFC 9110/9112: what decides
    /// framing must be unambiguous, and doubt must close the connection.
    /// </summary>
    private static void CheckFraming(ReadOnlySpan<byte> section, in ResponseHead head)
    {
        var lengths = 0;
        var chunked = false;
        var close = false;
        foreach (var range in section.Split((byte)'\n'))
        {
            var line = section[range];
            if (!line.IsEmpty && line[^1] == (byte)'\r') line = line[..^1];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0) continue;
            var name = line[..colon];
            var value = line[(colon + 1)..].Trim(" \t"u8);
            if (System.Text.Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                lengths++;
                // RFC 9110 §8.6: Content-Length = 1*DIGIT; a sign, a space or anything else is not a length.
                Check(!value.IsEmpty && value.IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0, $"Content-Length '{System.Text.Encoding.ASCII.GetString(value)}' accepted");
                Check(long.Parse(value) == head.ContentLength, "Content-Length differs from the header's digits");
            }
            else if (System.Text.Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8)) chunked = true;
            else if (System.Text.Ascii.EqualsIgnoreCase(name, "Connection"u8))
                foreach (var t in value.Split((byte)','))
                    if (System.Text.Ascii.EqualsIgnoreCase(value[t].Trim(" \t"u8), "close"u8)) close = true;
        }
        Check(lengths <= 1, "two Content-Length fields accepted");
        // RFC 9112 §6.3 rule 3: both framings present is a smuggling smell; the connection must not be reused.
        Check(!(chunked && lengths > 0 && head.Framing != BodyFraming.None) || !head.KeepAlive, "Content-Length with Transfer-Encoding on a kept connection");
        Check(!close || !head.KeepAlive, "Connection: close on a kept connection");
        Check(head.Framing != BodyFraming.Chunked || chunked, "chunked framing without Transfer-Encoding");
    }

    private static bool Same(in ResponseHead a, in ResponseHead b) =>
        a.Status == b.Status && a.Http10 == b.Http10 && a.KeepAlive == b.KeepAlive && a.Framing == b.Framing &&
        a.ContentLength == b.ContentLength && a.Length == b.Length && a.HeadersStart == b.HeadersStart &&
        a.ConnectionNamesOthers == b.ConnectionNamesOthers;
}
