using System.Text;
using Microsoft.AspNetCore.Http;

namespace Vigil.Proxy.Http;

/// <summary>The short plain-text answers Vigil gives itself when no backend can (400, 404, 501, 502, 503, 504).</summary>
internal static class ErrorResponse
{
    private static readonly byte[] BadRequest = Encoding.ASCII.GetBytes("400 Bad Request: the request cannot be forwarded safely\n");
    private static readonly byte[] NotFound = Encoding.ASCII.GetBytes("404 Not Found: no route matches\n");
    private static readonly byte[] NotImplemented = Encoding.ASCII.GetBytes("501 Not Implemented: CONNECT tunnels are not proxied\n");
    private static readonly byte[] BadGateway = Encoding.ASCII.GetBytes("502 Bad Gateway: the backend failed\n");
    private static readonly byte[] Unavailable = Encoding.ASCII.GetBytes("503 Service Unavailable: no backend available\n");
    private static readonly byte[] GatewayTimeout = Encoding.ASCII.GetBytes("504 Gateway Timeout: the backend did not answer in time\n");

    /// <summary>Replaces whatever the response holds (a failed attempt may have set headers) with the short answer.</summary>
    public static Task WriteAsync(HttpContext context, int status)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            // Headers already went out: the only honest signal left is to cut the connection (or
            // reset the HTTP/2 stream) so the client does not take a truncated body as complete.
            context.Abort();
            return Task.CompletedTask;
        }
        var body = status switch
        {
            StatusCodes.Status400BadRequest => BadRequest,
            StatusCodes.Status404NotFound => NotFound,
            StatusCodes.Status501NotImplemented => NotImplemented,
            StatusCodes.Status503ServiceUnavailable => Unavailable,
            StatusCodes.Status504GatewayTimeout => GatewayTimeout,
            _ => BadGateway,
        };
        response.Clear();
        response.StatusCode = status;
        response.ContentType = "text/plain; charset=utf-8";
        response.ContentLength = body.Length;
        if (status == StatusCodes.Status503ServiceUnavailable) response.Headers.RetryAfter = "1";
        // A request refused as malformed may hide more in its connection: close it, as HAProxy does after a 400.
        if (status == StatusCodes.Status400BadRequest) response.Headers.Connection = "close";
        if (HttpMethods.IsHead(context.Request.Method)) return Task.CompletedTask;
        return response.Body.WriteAsync(body, 0, body.Length, context.RequestAborted);
    }
}
