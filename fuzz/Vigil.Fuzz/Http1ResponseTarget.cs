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

        // What follows the head is the body's: the head alone parses to the same result.
        var again = ResponseHead.TryParse(stream[..head.Length], requestIsHead, out var alone);
        Check(again == ParseStatus.Done && Same(head, alone), "the head parses differently without the bytes after it");

        // A head that arrives in pieces is never judged before it is whole: every shorter prefix is
        // Incomplete. (Long heads: a sample of prefixes, so one run stays fast.)
        var step = head.Length <= 2048 ? 1 : head.Length / 512;
        for (var k = 0; k < head.Length; k += step)
            Check(ResponseHead.TryParse(stream[..k], requestIsHead, out _) == ParseStatus.Incomplete, $"a {k}-byte prefix of a {head.Length}-byte head is not Incomplete");
    }

    private static bool Same(in ResponseHead a, in ResponseHead b) =>
        a.Status == b.Status && a.Http10 == b.Http10 && a.KeepAlive == b.KeepAlive && a.Framing == b.Framing &&
        a.ContentLength == b.ContentLength && a.Length == b.Length && a.HeadersStart == b.HeadersStart &&
        a.ConnectionNamesOthers == b.ConnectionNamesOthers;
}
