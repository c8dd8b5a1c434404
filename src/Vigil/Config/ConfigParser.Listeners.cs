using System.Net;
using YamlDotNet.RepresentationModel;
using Vigil.Proxy.Http;
using Vigil.Proxy.Tcp;
using Vigil.Proxy.Http.Routing;
using RouteOptions = Vigil.Proxy.Http.Routing.RouteOptions;

namespace Vigil.Config;

internal sealed partial class ConfigParser
{
    private static readonly string[] ListenerKeys =
    [
        "name", "protocol", "listen", "max_connections", "idle_timeout", "drain_timeout",
        "routes", "trusted_proxies",
        "pool", "accept_proxy", "on_limit",
    ];
    private static readonly string[] RouteKeys = ["match", "pool", "cache"];
    private static readonly string[] MatchKeys = ["host", "path_prefix", "headers", "methods"];

    private List<ListenerConfig> ParseListeners(MappingReader root)
    {
        var listeners = new List<ListenerConfig>();
        var seq = root.Sequence("listeners");
        if (seq is null) return listeners;
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        var i = 0;
        foreach (var item in seq)
        {
            var path = $"listeners[{i++}]";
            var m = _r.Mapping(item, path, ListenerKeys);
            if (m is null) continue;
            var name = m.Require("name") ? m.String("name") : null;
            if (name is not null)
            {
                path = $"listeners.{name}";
                m.Path = path;
                if (!ConfigWords.IsName(name)) _r.Error(m.ValueLine("name"), m.PathOf("name"), ConfigWords.NameRule);
                else if (names.TryGetValue(name, out var firstLine))
                    _r.Error(m.ValueLine("name"), path, $"duplicate listener name (first at line {firstLine})");
                else names[name] = m.ValueLine("name");
            }
            var listener = ParseListener(m, name ?? "", path);
            if (listener is not null) listeners.Add(listener);
        }
        return listeners;
    }

    private ListenerConfig? ParseListener(MappingReader m, string name, string path)
    {
        var protocol = m.Word("protocol", ConfigWords.Protocols, "protocol");
        // An unknown protocol was reported; checking the rest against a guess would only add noise.
        if (protocol is null && m.Has("protocol")) return null;
        IPEndPoint? endPoint = null;
        string? listen = null;
        if (m.Require("listen") && (listen = m.String("listen")) is not null)
        {
            if (ConfigAddress.TryParseLiteralEndPoint(listen, out var ep, out var error))
            {
                endPoint = ep;
                Bind(ep, $"listener '{name}'", m.ValueLine("listen"), $"{path}.listen");
            }
            else _r.Error(m.ValueLine("listen"), $"{path}.listen", error);
        }

        var listener = new ListenerConfig
        {
            Name = name,
            Protocol = protocol ?? ListenerProtocol.Http,
            Listen = listen ?? "",
        };
        var maxConnections = m.Int("max_connections", 1, 10_000_000);
        var idleTimeout = Positive(m, "idle_timeout");
        var drainTimeout = m.Duration("drain_timeout");

        if (listener.Protocol == ListenerProtocol.Http)
        {
            m.Forbid("pool", "an http listener sends requests to pools through routes; 'pool' applies to protocol: tcp");
            m.Forbid("accept_proxy", "'accept_proxy' applies to protocol: tcp");
            m.Forbid("on_limit", "'on_limit' applies to protocol: tcp");
            listener = listener with { ListenEndPoint = endPoint ?? new IPEndPoint(IPAddress.None, 0), MaxConnections = maxConnections };
            if (idleTimeout is { } idle) listener = listener with { IdleTimeout = idle };
            if (drainTimeout is { } drain) listener = listener with { DrainTimeout = drain };
            if (!m.Has("routes")) _r.Error(m.Line, path, "an http listener needs routes");
            else listener = listener with { Routes = ParseRoutes(m, path, name) };
            // The Proxy library's own options; the list compares by value, so an unchanged listener is equal across reloads.
            var networks = ParseTrustedProxies(m, path);
            listener = listener with
            {
                Http = new HttpProxyOptions
                {
                    ListenerName = name,
                    TrustedProxies = networks is null ? ValueList<IPNetwork>.Empty : ValueList<IPNetwork>.From(networks),
                },
            };
        }
        else
        {
            // The Proxy library's own options, built here once: an unset key keeps the library's default.
            var tcp = new TcpListenerOptions
            {
                Name = name,
                EndPoint = endPoint ?? new IPEndPoint(IPAddress.None, 0),
                Pool = "",
                IdleTimeout = idleTimeout ?? ListenerConfig.DefaultTcpIdleTimeout,
            };
            if (maxConnections is { } max) tcp = tcp with { MaxConnections = max };
            if (drainTimeout is { } drain) tcp = tcp with { DrainTimeout = drain };
            m.Forbid("routes", "a tcp listener has no routes: give it a 'pool'");
            if (!m.Has("pool")) _r.Error(m.Line, path, "a tcp listener needs a pool");
            else if (m.String("pool") is { } pool)
            {
                CheckReference(pool, _poolNames, "pool", m.ValueLine("pool"), $"{path}.pool");
                tcp = tcp with { Pool = pool };
            }
            if (m.Bool("accept_proxy") is { } accept) tcp = tcp with { AcceptProxy = accept };
            // A PROXY header names the client; believed from any peer, anyone could pick the address
            // Vigil logs, hashes and relays. So accept_proxy says whom it believes (0.0.0.0/0 is a choice too).
            var trusted = ParseTrustedProxies(m, path);
            // By value, so a reload with the same list keeps the listener (TcpListenerHost.CanUpdateInPlace).
            tcp = tcp with { TrustedProxies = trusted is null ? ValueList<IPNetwork>.Empty : ValueList<IPNetwork>.From(trusted) };
            if (tcp.AcceptProxy && trusted is null && !m.Has("trusted_proxies"))
                _r.Error(m.KeyLine("accept_proxy"), $"{path}.accept_proxy",
                    "accept_proxy needs trusted_proxies: the balancers allowed to send a PROXY header (write [0.0.0.0/0, ::/0] to believe any peer)");
            else if (!tcp.AcceptProxy && m.Has("trusted_proxies"))
                _r.Error(m.KeyLine("trusted_proxies"), $"{path}.trusted_proxies", "on a tcp listener 'trusted_proxies' says whose PROXY header to believe: it needs accept_proxy: true");
            else if (tcp.AcceptProxy && trusted is { Count: 0 })
                _r.Error(m.ValueLine("trusted_proxies"), $"{path}.trusted_proxies", "an empty list would refuse every connection: name the balancers in front");
            if (m.Word("on_limit", ConfigWords.LimitActions, "on_limit action") is { } onLimit)
            {
                if (maxConnections is null)
                    _r.Error(m.KeyLine("on_limit"), $"{path}.on_limit", "'on_limit' needs max_connections");
                tcp = tcp with { OnLimit = onLimit };
            }
            // The library's own rules, at the key's line; a missing name was reported already.
            if (name.Length > 0) Library(m, tcp.Validate(), name);
            listener = listener with { Tcp = tcp };
        }
        return endPoint is null ? null : ConfigLines.At(listener, m.Line);
    }

    /// <summary>trusted_proxies: CIDRs (a bare address is a /32 or /128); null when absent or not a list.</summary>
    private List<IPNetwork>? ParseTrustedProxies(MappingReader m, string path)
    {
        if (m.Strings("trusted_proxies") is not { } proxies) return null;
        var networks = new List<IPNetwork>();
        foreach (var (text, node) in proxies)
        {
            if (ConfigAddress.TryParseNetwork(text, out var network, out var error)) networks.Add(network);
            else _r.Error(node, $"{path}.trusted_proxies", error);
        }
        return networks;
    }

    /// <summary>The Proxy library's own <see cref="RouteOptions"/>, named <c>www#1</c> by listener and position for logs and metrics.</summary>
    private List<RouteOptions> ParseRoutes(MappingReader listener, string listenerPath, string listenerName)
    {
        var routes = new List<RouteOptions>();
        var seq = listener.Sequence("routes");
        if (seq is null) return routes;
        if (seq.Children.Count == 0) _r.Error(seq, $"{listenerPath}.routes", "an http listener needs at least one route");
        var i = 0;
        RouteOptions? catchAll = null;
        foreach (var item in seq)
        {
            var path = $"{listenerPath}.routes[{i++}]";
            var m = _r.Mapping(item, path, RouteKeys);
            if (m is null) continue;
            var match = m.Value("match") is null ? EveryRequest : ParseMatch(m);
            string? pool = null;
            if (m.Require("pool") && (pool = m.String("pool")) is not null)
                CheckReference(pool, _poolNames, "pool", m.ValueLine("pool"), $"{path}.pool");
            var cache = m.String("cache");
            if (cache is not null) CheckReference(cache, _cacheNames, "cache", m.ValueLine("cache"), $"{path}.cache");
            if (match is null || pool is null) continue;
            var route = ConfigLines.At(new RouteOptions { Name = $"{listenerName}#{i}", Match = match, Pool = pool, Cache = cache }, m.Line);
            // Routes are tried in order; one after a match-all is dead, surely not what was meant.
            if (catchAll is not null)
                _r.Error(m.Line, path, $"this route is never used: the route at line {ConfigLines.Of(catchAll)} matches every request");
            else if (MatchesEverything(match)) catchAll = route;
            routes.Add(route);
        }
        return routes;
    }

    /// <summary>An empty match; its lists compare by value, so an unchanged route is equal across reloads.</summary>
    private static readonly RouteMatch EveryRequest = new()
    {
        Hosts = ValueList<string>.Empty,
        Headers = ValueMap<string, string?>.Empty,
        Methods = ValueList<string>.Empty,
    };

    private static bool MatchesEverything(RouteMatch m) =>
        m.Hosts.Count == 0 && m.Headers.Count == 0 && m.Methods.Count == 0 && m.PathPrefix is null or "/";

    private RouteMatch? ParseMatch(MappingReader route)
    {
        var m = route.Mapping("match", MatchKeys);
        if (m is null) return null;
        var match = EveryRequest;
        if (m.Strings("host") is { } hosts)
        {
            var list = new List<string>();
            foreach (var (host, node) in hosts)
            {
                if (IsHostPattern(host)) list.Add(host.ToLowerInvariant());
                else _r.Error(node, m.PathOf("host"), $"'{host}' is not a host name (wildcards only as a leading '*.')");
            }
            match = match with { Hosts = ValueList<string>.From(list) };
        }
        if (m.String("path_prefix") is { } prefix)
        {
            if (prefix.StartsWith('/')) match = match with { PathPrefix = prefix };
            else _r.Error(m.ValueLine("path_prefix"), m.PathOf("path_prefix"), $"'{prefix}' must start with '/'");
        }
        if (m.FreeMapping("headers") is { } headersMap)
        {
            // Read the pairs directly: header names are free-form, not a fixed key set.
            var headers = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            foreach (var (k, v) in headersMap.Children)
            {
                var headerName = (k as YamlScalarNode)?.Value ?? "";
                if (!IsToken(headerName))
                {
                    _r.Error(k, m.PathOf("headers"), $"'{headerName}' is not a header name");
                    continue;
                }
                if (_r.Scalar(v, $"{m.PathOf("headers")}.{headerName}") is { } value) headers[headerName] = value;
            }
            match = match with { Headers = new ValueMap<string, string?>(headers, StringComparer.OrdinalIgnoreCase) };
        }
        if (m.Strings("methods") is { } methods)
        {
            var list = new List<string>();
            foreach (var (method, node) in methods)
            {
                var upper = method.ToUpperInvariant();
                if (ConfigWords.Methods.Contains(upper)) list.Add(upper);
                else _r.Error(node, m.PathOf("methods"), $"unknown method '{method}'{Suggestion.Hint(upper, ConfigWords.Methods)}");
            }
            match = match with { Methods = ValueList<string>.From(list) };
        }
        return match;
    }

    private void CheckReference(string name, HashSet<string> known, string what, int line, string path)
    {
        if (!known.Contains(name))
            _r.Error(line, path, $"{what} '{name}' does not exist{Suggestion.Hint(name, known)}");
    }

    private static bool IsHostPattern(string s)
    {
        var rest = s.StartsWith("*.", StringComparison.Ordinal) ? s[2..] : s;
        if (rest.Length is 0 or > 253) return false;
        foreach (var label in rest.Split('.'))
            if (label.Length is 0 or > 63 || !label.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')) return false;
        return true;
    }

    /// <summary>RFC 9110 §5.6.2 token.</summary>
    private static bool IsToken(string s) =>
        s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c));
}
