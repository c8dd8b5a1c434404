namespace Vigil.Proxy.Http.Upstream;

/// <summary>
/// A backend broke HTTP/1.1 (a malformed or doubtful head, conflicting framing, bad chunking, a 1xx
/// flood): the connection is closed, the client gets 502, and the operator one line with this reason.
/// Never thrown: carried in <see cref="UpstreamResult.Error"/> so HttpProxy can tell it from a network error.
/// </summary>
public sealed class UpstreamProtocolException(string reason) : Exception(reason);
