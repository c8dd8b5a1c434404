using Microsoft.Extensions.Logging;

namespace Vigil.Proxy.Http.Upstream;

/// <summary>The upstream implementations a host can choose between.</summary>
public enum UpstreamKind
{
    /// <summary>YARP's IHttpForwarder over SocketsHttpHandler.</summary>
    Yarp,
    /// <summary>Vigil's own HTTP/1.1 forwarder, falling back to YARP for upgrades, HTTP/2 and Expect.</summary>
    Http1,
}

/// <summary>Builds the upstream a host asked for: the one switch between the implementations.</summary>
public static class UpstreamFactory
{
    /// <summary>The environment variable that overrides the default (<c>yarp</c> or <c>http1</c>).</summary>
    public const string EnvironmentVariable = "VIGIL_UPSTREAM";

    /// <summary>
    /// What a host gets when nothing is asked for: Http1, measured faster than YARP's forwarder through
    /// HttpProxy (bench/Vigil.L7Bench/RESULTS.md); <c>VIGIL_UPSTREAM=yarp</c> goes back to YARP.
    /// </summary>
    public static UpstreamKind Default => UpstreamKind.Http1;

    public static IUpstream Create(UpstreamKind kind, ILoggerFactory? loggerFactory = null) => kind switch
    {
        UpstreamKind.Http1 => new Http1Upstream(YarpUpstream.Create(loggerFactory)),
        _ => YarpUpstream.Create(loggerFactory),
    };

    /// <summary>The kind named by <see cref="EnvironmentVariable"/>, or <see cref="Default"/>.</summary>
    public static UpstreamKind FromEnvironment() =>
        Enum.TryParse<UpstreamKind>(Environment.GetEnvironmentVariable(EnvironmentVariable), ignoreCase: true, out var kind) ? kind : Default;
}
