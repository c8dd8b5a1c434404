using Microsoft.AspNetCore.Http;
using Vigil.Proxy.Http.Routing;

namespace Vigil.Proxy.Tests.Http;

public class RouteTableTests
{
    private static HttpRequest Request(string method = "GET", string host = "www.example.com", string path = "/",
        params (string Name, string Value)[] headers)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Host = new HostString(host);
        context.Request.Path = path;
        foreach (var (name, value) in headers) context.Request.Headers.Append(name, value);
        return context.Request;
    }

    private static RouteTable Table(params RouteMatch[] matches) =>
        new(matches.Select((m, i) => new RouteOptions { Name = $"r{i}", Pool = "p", Match = m }));

    private static string? MatchName(RouteTable table, HttpRequest request) => table.Match(request)?.Name;

    [Theory]
    [InlineData("www.example.com", true)]
    [InlineData("WWW.Example.COM", true)]
    [InlineData("www.example.com:8080", true)]
    [InlineData("www.example.com.", true)]
    [InlineData("example.com", false)]
    [InlineData("www.example.org", false)]
    public void Exact_host_ignores_case_port_and_trailing_dot(string host, bool matches)
    {
        var table = Table(new RouteMatch { Hosts = ["www.example.com"] });
        Assert.Equal(matches, table.Match(Request(host: host)) is not null);
    }

    [Theory]
    [InlineData("a.example.com", true)]
    [InlineData("a.b.example.com:443", true)]
    [InlineData("example.com", false)]
    [InlineData("badexample.com", false)]
    [InlineData("a.example.com.evil", false)]
    public void Wildcard_host_matches_subdomains_only(string host, bool matches)
    {
        var table = Table(new RouteMatch { Hosts = ["*.example.com"] });
        Assert.Equal(matches, table.Match(Request(host: host)) is not null);
    }

    [Fact]
    public void Ipv6_literal_host_keeps_its_brackets_and_drops_the_port()
    {
        var table = Table(new RouteMatch { Hosts = ["[::1]"] });
        Assert.NotNull(table.Match(Request(host: "[::1]:8080")));
        Assert.Null(table.Match(Request(host: "[::2]:8080")));
    }

    [Fact]
    public void Missing_host_does_not_match_a_host_rule()
    {
        var table = Table(new RouteMatch { Hosts = ["www.example.com"] });
        Assert.Null(table.Match(Request(host: "")));
    }

    [Theory]
    [InlineData("/api/users", true)]
    [InlineData("/api/", true)]
    [InlineData("/api", false)]
    [InlineData("/API/users", false)]
    [InlineData("/static/api/", false)]
    public void Path_prefix_is_case_sensitive(string path, bool matches)
    {
        var table = Table(new RouteMatch { PathPrefix = "/api/" });
        Assert.Equal(matches, table.Match(Request(path: path)) is not null);
    }

    [Fact]
    public void Header_rules_check_exact_value_or_presence()
    {
        var table = Table(new RouteMatch
        {
            Headers = new Dictionary<string, string?> { ["X-Env"] = "canary", ["X-Debug"] = null },
        });
        Assert.NotNull(table.Match(Request(headers: [("X-Env", "canary"), ("X-Debug", "yes")])));
        Assert.NotNull(table.Match(Request(headers: [("x-env", "canary"), ("X-Debug", "1")])));
        Assert.Null(table.Match(Request(headers: [("X-Env", "Canary"), ("X-Debug", "1")])));
        Assert.Null(table.Match(Request(headers: [("X-Env", "canary")])));
        Assert.Null(table.Match(Request(headers: [("X-Debug", "1")])));
        // Any one of several values may match.
        Assert.NotNull(table.Match(Request(headers: [("X-Env", "prod"), ("X-Env", "canary"), ("X-Debug", "1")])));
    }

    [Theory]
    [InlineData("GET", true)]
    [InlineData("HEAD", true)]
    [InlineData("POST", false)]
    [InlineData("DELETE", false)]
    public void Methods_limit_the_route(string method, bool matches)
    {
        var table = Table(new RouteMatch { Methods = ["get", "HEAD"] });
        Assert.Equal(matches, table.Match(Request(method: method)) is not null);
    }

    [Fact]
    public void All_conditions_must_hold()
    {
        var table = Table(new RouteMatch { Hosts = ["api.example.com"], PathPrefix = "/v2/", Methods = ["POST"] });
        Assert.NotNull(table.Match(Request("POST", "api.example.com", "/v2/orders")));
        Assert.Null(table.Match(Request("GET", "api.example.com", "/v2/orders")));
        Assert.Null(table.Match(Request("POST", "www.example.com", "/v2/orders")));
        Assert.Null(table.Match(Request("POST", "api.example.com", "/v1/orders")));
    }

    [Fact]
    public void First_matching_route_wins_in_configured_order()
    {
        var table = Table(
            new RouteMatch { PathPrefix = "/api/admin/", Methods = ["POST"] },
            new RouteMatch { PathPrefix = "/api/" },
            new RouteMatch { Hosts = ["*.example.com"] },
            new RouteMatch());
        Assert.Equal("r0", MatchName(table, Request("POST", path: "/api/admin/x")));
        Assert.Equal("r1", MatchName(table, Request("GET", path: "/api/admin/x")));
        Assert.Equal("r2", MatchName(table, Request(path: "/index.html")));
        Assert.Equal("r3", MatchName(table, Request(host: "other.org", path: "/index.html")));
        Assert.Equal([0, 1, 2, 3], table.Routes.Select(r => r.Index));
    }

    [Fact]
    public void No_match_returns_null()
    {
        var table = Table(new RouteMatch { PathPrefix = "/api/" });
        Assert.Null(table.Match(Request(path: "/")));
    }

    [Fact]
    public void Matching_allocates_nothing()
    {
        var table = Table(
            new RouteMatch { Hosts = ["api.example.com"], Methods = ["POST"] },
            new RouteMatch { Hosts = ["*.example.com"], PathPrefix = "/static/", Headers = new Dictionary<string, string?> { ["X-Env"] = "canary" } },
            new RouteMatch { PathPrefix = "/" });
        var request = Request("GET", "www.example.com:8080", "/static/app.js", ("X-Env", "canary"));
        Assert.Equal("r1", MatchName(table, request)); // warm up
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++) table.Match(request);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
