using System.Text;
using Microsoft.AspNetCore.Http;
using Vigil.Admin;
using Vigil.Config;

namespace Vigil.Tests.Admin;

/// <summary>The admin API's access rules on hostile headers: malformed credentials and hosts are refused, never thrown on.</summary>
public sealed class AdminAccessRulesTests
{
    private const string Token = "0123456789abcdef-admin";

    private static AdminVerdict Decide(AdminConfig admin, string path = "/api/status", string? host = "127.0.0.1:9090",
        string? authorization = null, string? origin = null, string? fetchSite = null)
    {
        var context = new DefaultHttpContext();
        context.Request.Path = path;
        if (host is not null) context.Request.Host = new HostString(host);
        if (authorization is not null) context.Request.Headers.Authorization = authorization;
        if (origin is not null) context.Request.Headers.Origin = origin;
        if (fetchSite is not null) context.Request.Headers["Sec-Fetch-Site"] = fetchSite;
        return new AdminAccess(admin).Decide(context.Request);
    }

    private static readonly AdminConfig WithToken = new() { Token = new Secret(Token) };

    [Theory]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    [InlineData("Basic")]
    [InlineData("Basic !!!not-base64!!!")]
    [InlineData("Basic bm9jb2xvbg==")] // "nocolon"
    [InlineData("Digest username=\"a\"")]
    [InlineData("bearer0123456789abcdef-admin")]
    [InlineData("Bearer 0123456789abcdef-admin\0")]
    public void Malformed_credentials_are_unauthorized(string authorization) =>
        Assert.Equal(AdminVerdict.Unauthorized, Decide(WithToken, authorization: authorization));

    [Fact]
    public void An_oversized_credential_is_unauthorized() =>
        Assert.Equal(AdminVerdict.Unauthorized, Decide(WithToken, authorization: "Bearer " + new string('a', 64 * 1024)));

    [Theory]
    [InlineData("Bearer " + Token)]
    [InlineData("bearer   " + Token)]
    public void The_token_as_bearer_is_allowed(string authorization) =>
        Assert.Equal(AdminVerdict.Allow, Decide(WithToken, authorization: authorization));

    [Fact]
    public void The_token_as_basic_password_is_allowed() =>
        Assert.Equal(AdminVerdict.Allow, Decide(WithToken, authorization: "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("anyone:" + Token))));

    [Theory]
    [InlineData("cross-site")]
    [InlineData("same-site")]
    public void Fetch_metadata_naming_another_site_is_forbidden(string site) =>
        Assert.Equal(AdminVerdict.Forbidden, Decide(WithToken, authorization: "Bearer " + Token, fetchSite: site));

    [Theory]
    [InlineData("same-origin")]
    [InlineData("none")] // typed into the address bar
    public void Fetch_metadata_of_the_api_itself_is_allowed(string site) =>
        Assert.Equal(AdminVerdict.Allow, Decide(new AdminConfig(), fetchSite: site));

    [Theory]
    [InlineData("http://127.0.0.1:9090", AdminVerdict.Allow)]
    [InlineData("HTTP://127.0.0.1:9090", AdminVerdict.Allow)]
    [InlineData("http://127.0.0.1:9091", AdminVerdict.Forbidden)]
    [InlineData("http://127.0.0.1:9090.evil.example", AdminVerdict.Forbidden)]
    [InlineData("http://localhost:9090", AdminVerdict.Forbidden)] // another origin, even if the same machine
    [InlineData("null", AdminVerdict.Forbidden)]
    [InlineData("", AdminVerdict.Allow)]
    public void Origin_must_be_the_api_itself(string origin, AdminVerdict verdict) =>
        Assert.Equal(verdict, Decide(new AdminConfig(), origin: origin));

    [Theory]
    [InlineData("localhost", AdminVerdict.Allow)]
    [InlineData("LOCALHOST:9090", AdminVerdict.Allow)]
    [InlineData("127.1.2.3", AdminVerdict.Allow)]
    [InlineData("[::1]", AdminVerdict.Allow)]
    [InlineData("[::1]:9090", AdminVerdict.Allow)]
    [InlineData(null, AdminVerdict.Allow)]
    [InlineData("localhost.evil.example", AdminVerdict.Forbidden)]
    [InlineData("10.0.0.1:9090", AdminVerdict.Forbidden)]
    [InlineData("[::ffff:10.0.0.1]", AdminVerdict.Forbidden)]
    [InlineData("[", AdminVerdict.Forbidden)]
    [InlineData(":9090", AdminVerdict.Forbidden)]
    public void Without_a_token_only_loopback_hosts(string? host, AdminVerdict verdict) =>
        Assert.Equal(verdict, Decide(new AdminConfig(), host: host));

    [Fact]
    public void With_a_token_the_host_does_not_matter() =>
        Assert.Equal(AdminVerdict.Allow, Decide(WithToken, host: "lb1.example.net:9090", authorization: "Bearer " + Token));

    [Fact]
    public void Metrics_public_opens_exactly_metrics()
    {
        var admin = WithToken with { MetricsPublic = true };
        Assert.Equal(AdminVerdict.Allow, Decide(admin, path: "/metrics"));
        Assert.Equal(AdminVerdict.Unauthorized, Decide(admin, path: "/metrics/"));
        Assert.Equal(AdminVerdict.Unauthorized, Decide(admin, path: "/Metrics"));
        Assert.Equal(AdminVerdict.Unauthorized, Decide(admin, path: "/"));
    }
}
