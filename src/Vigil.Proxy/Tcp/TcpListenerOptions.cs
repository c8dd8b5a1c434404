using System.Net;

namespace Vigil.Proxy.Tcp;

/// <summary>What a TCP listener does with connections beyond <see cref="TcpListenerOptions.MaxConnections"/>.</summary>
public enum ConnectionLimitMode
{
    /// <summary>Stop accepting while at the limit: excess connections wait in the kernel's backlog.</summary>
    Queue,
    /// <summary>Accept and close at once, counted as refused.</summary>
    Refuse,
}

/// <summary>How a TCP listener moves bytes between client and backend.</summary>
public enum TcpCopyMode
{
    /// <summary>Receive into a pooled buffer and send it on.</summary>
    Buffered,
    /// <summary>Linux only: splice(2) through a pipe, so payload bytes never enter user space. Falls back to buffered elsewhere.</summary>
    Splice,
    /// <summary>
    /// Buffered until a direction shows bulk traffic (one read fills the whole buffer), then splice
    /// for that direction: small request/response exchanges keep the cheaper buffered path and large
    /// transfers move zero-copy (HAProxy's <c>option splice-auto</c> makes the same bet).
    /// </summary>
    Auto,
}

/// <summary>A <c>protocol: tcp</c> listener as configured: where it listens, which pool it feeds, its limits and timeouts.</summary>
public sealed record TcpListenerOptions
{
    /// <summary>
    /// Default for <see cref="CopyMode"/>, from bench/l4.sh on loopback: splice moved 64 MiB
    /// transfers with 20–30% less CPU per GiB than buffered copying and at least as fast, while
    /// 1 KiB request/response traffic cost the same either way; auto keeps both gains and opens
    /// pipes only for directions that carry bulk.
    /// </summary>
    public const TcpCopyMode DefaultCopyMode = TcpCopyMode.Auto;

    public required string Name { get; init; }
    public required IPEndPoint EndPoint { get; init; }
    /// <summary>Name of the pool connections go to; the host resolves it on every connection so a reload can swap pools.</summary>
    public required string Pool { get; init; }
    /// <summary>Expect a PROXY protocol v1 or v2 header from the peer (a balancer in front of Vigil).</summary>
    public bool AcceptProxy { get; init; }
    /// <summary>
    /// With <see cref="AcceptProxy"/>: the peers (the balancers in front) allowed to connect and name
    /// a client in their PROXY header; a connection from anywhere else is closed before a byte is
    /// read, since its header would be a claim nobody can check. Empty trusts every peer (HAProxy's
    /// plain <c>accept-proxy</c>); the config requires a list, where <c>0.0.0.0/0</c> says so explicitly.
    /// </summary>
    public IReadOnlyList<IPNetwork> TrustedProxies { get; init; } = [];
    /// <summary>Most connections open at once; 0 means no limit.</summary>
    public int MaxConnections { get; init; }
    public ConnectionLimitMode OnLimit { get; init; } = ConnectionLimitMode.Queue;
    /// <summary>Overrides the pool's connect timeout when set.</summary>
    public TimeSpan? ConnectTimeout { get; init; }
    /// <summary>A connection with no byte in either direction for this long is closed; null uses the pool's response timeout, zero disables.</summary>
    public TimeSpan? IdleTimeout { get; init; }
    /// <summary>On drain, how long open connections may live before they are cut.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>How long a peer has to send its PROXY header when <see cref="AcceptProxy"/> is on.</summary>
    public TimeSpan ProxyHeaderTimeout { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>listen(2) backlog: where connections wait when the limit is reached in queue mode.</summary>
    public int Backlog { get; init; } = 1024;
    public TcpCopyMode CopyMode { get; init; } = DefaultCopyMode;
    /// <summary>Size of each direction's pooled buffer in buffered mode.</summary>
    public int BufferSize { get; init; } = 64 * 1024;

    /// <summary>
    /// The rules the listener relies on, worded <c>tcp listener name: key rule</c> so a config loader
    /// can report each at its key; <see cref="TcpProxyListener"/> refuses options that break one.
    /// </summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        void Add(string error) => errors.Add($"tcp listener {Name}: {error}");
        if (string.IsNullOrWhiteSpace(Name)) errors.Add("tcp listener name is empty");
        if (string.IsNullOrWhiteSpace(Pool)) Add("pool is required");
        if (EndPoint is null) Add("endpoint is required");
        if (MaxConnections < 0) Add("max_connections must not be negative (0 is no limit)");
        if (!Enum.IsDefined(OnLimit)) Add($"on_limit {OnLimit} is unknown");
        if (ConnectTimeout is { } connect && connect <= TimeSpan.Zero) Add("connect_timeout must be positive");
        if (IdleTimeout < TimeSpan.Zero) Add("idle_timeout must not be negative (0 disables it)");
        if (DrainTimeout < TimeSpan.Zero) Add("drain_timeout must not be negative");
        if (ProxyHeaderTimeout <= TimeSpan.Zero) Add("proxy_header_timeout must be positive");
        if (Backlog < 1) Add("backlog must be at least 1");
        if (!Enum.IsDefined(CopyMode)) Add($"copy_mode {CopyMode} is unknown");
        if (BufferSize < 1) Add("buffer_size must be positive");
        return errors;
    }
}
