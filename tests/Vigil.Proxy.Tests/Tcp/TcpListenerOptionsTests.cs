using System.Net;
using Vigil.Proxy.Tcp;

namespace Vigil.Proxy.Tests.Tcp;

/// <summary>The Proxy library owns its tcp listener options and their rules; a listener refuses options that break one.</summary>
public sealed class TcpListenerOptionsTests
{
    private static readonly TcpListenerOptions Valid = new() { Name = "sql", EndPoint = new IPEndPoint(IPAddress.Loopback, 0), Pool = "db" };

    [Fact]
    public void The_defaults_are_valid() => Assert.Empty(Valid.Validate());

    public static TheoryData<string, string> Broken => new()
    {
        { "pool", "tcp listener sql: pool is required" },
        { "max_connections", "tcp listener sql: max_connections must not be negative (0 is no limit)" },
        { "connect_timeout", "tcp listener sql: connect_timeout must be positive" },
        { "idle_timeout", "tcp listener sql: idle_timeout must not be negative (0 disables it)" },
        { "drain_timeout", "tcp listener sql: drain_timeout must not be negative" },
        { "proxy_header_timeout", "tcp listener sql: proxy_header_timeout must be positive" },
        { "backlog", "tcp listener sql: backlog must be at least 1" },
        { "buffer_size", "tcp listener sql: buffer_size must be positive" },
        { "on_limit", "tcp listener sql: on_limit 7 is unknown" },
        { "copy_mode", "tcp listener sql: copy_mode 7 is unknown" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void Each_rule_is_reported_under_its_key_and_the_listener_refuses_it(string key, string error)
    {
        var options = key switch
        {
            "pool" => Valid with { Pool = "" },
            "max_connections" => Valid with { MaxConnections = -1 },
            "connect_timeout" => Valid with { ConnectTimeout = TimeSpan.Zero },
            "idle_timeout" => Valid with { IdleTimeout = TimeSpan.FromSeconds(-1) },
            "drain_timeout" => Valid with { DrainTimeout = TimeSpan.FromSeconds(-1) },
            "proxy_header_timeout" => Valid with { ProxyHeaderTimeout = TimeSpan.Zero },
            "backlog" => Valid with { Backlog = 0 },
            "buffer_size" => Valid with { BufferSize = 0 },
            "on_limit" => Valid with { OnLimit = (ConnectionLimitMode)7 },
            "copy_mode" => Valid with { CopyMode = (TcpCopyMode)7 },
            _ => throw new ArgumentOutOfRangeException(nameof(key)),
        };
        Assert.Equal([error], options.Validate());
        var refused = Assert.Throws<ArgumentException>(() => new TcpProxyListener(options, () => null));
        Assert.Contains(error, refused.Message);
    }

    [Fact]
    public void A_listener_without_a_name_is_refused() =>
        Assert.Contains("tcp listener name is empty", Assert.Throws<ArgumentException>(() => new TcpProxyListener(Valid with { Name = " " }, () => null)).Message);
}
