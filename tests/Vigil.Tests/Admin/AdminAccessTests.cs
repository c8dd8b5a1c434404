using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Vigil.Tests.Hosting;

namespace Vigil.Tests.Admin;

/// <summary>
/// Who may use the admin API, against a real daemon: with a token every path but the liveness of the
/// listener needs it (metrics and the status page too, unless <c>metrics_public</c>); without one
/// (loopback only) a browser on the same host may not be turned against it, by DNS rebinding (a
/// foreign Host) or a cross-site request (a foreign Origin).
/// </summary>
public sealed class AdminAccessTests
{
    private const string Token = "0123456789abcdef-admin";

    private static Func<DaemonFixture, string> WithAdmin(string admin) => f =>
        DaemonFixture.DefaultConfig(f).Replace($"admin: {{ listen: 127.0.0.1:{f.AdminPort} }}", $"admin: {{ listen: 127.0.0.1:{f.AdminPort}, {admin} }}");

    private static HttpRequestMessage Get(string path, string? bearer = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return request;
    }

    [Theory]
    [InlineData("/api/status")]
    [InlineData("/metrics")]
    [InlineData("/")]
    public async Task With_a_token_every_path_needs_it(string path)
    {
        await using var f = await DaemonFixture.StartAsync(1, WithAdmin($"token: {Token}"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await f.Admin.SendAsync(Get(path))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await f.Admin.SendAsync(Get(path, Token + "x"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await f.Admin.SendAsync(Get(path, Token[..^1]))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await f.Admin.SendAsync(Get(path, Token))).StatusCode);
    }

    [Fact]
    public async Task A_browser_may_give_the_token_as_the_basic_password()
    {
        await using var f = await DaemonFixture.StartAsync(1, WithAdmin($"token: {Token}"));
        var challenge = await f.Admin.SendAsync(Get("/"));
        Assert.Equal(HttpStatusCode.Unauthorized, challenge.StatusCode);
        Assert.Contains(challenge.Headers.WwwAuthenticate, h => h.Scheme == "Basic");

        var request = Get("/api/status");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:" + Token)));
        Assert.Equal(HttpStatusCode.OK, (await f.Admin.SendAsync(request)).StatusCode);
        var wrong = Get("/api/status");
        wrong.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(Token + ":admin")));
        Assert.Equal(HttpStatusCode.Unauthorized, (await f.Admin.SendAsync(wrong)).StatusCode);
    }

    [Fact]
    public async Task Metrics_public_opens_metrics_only()
    {
        await using var f = await DaemonFixture.StartAsync(1, WithAdmin($"token: {Token}, metrics_public: true"));
        Assert.Equal(HttpStatusCode.OK, (await f.Admin.SendAsync(Get("/metrics"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await f.Admin.SendAsync(Get("/api/status"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await f.Admin.PostAsync("/api/reload", null)).StatusCode);
    }

    [Fact]
    public async Task A_reload_changes_the_token()
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, Token + "\n");
            await using var f = await DaemonFixture.StartAsync(1, WithAdmin($"token_file: {file}"));
            Assert.Equal(HttpStatusCode.OK, (await f.Admin.SendAsync(Get("/api/status", Token))).StatusCode);
            await File.WriteAllTextAsync(file, "a-new-token-of-enough-length\n");
            var reload = new HttpRequestMessage(HttpMethod.Post, "/api/reload") { Headers = { Authorization = new("Bearer", Token) } };
            Assert.Equal(HttpStatusCode.OK, (await f.Admin.SendAsync(reload)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await f.Admin.SendAsync(Get("/api/status", Token))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await f.Admin.SendAsync(Get("/api/status", "a-new-token-of-enough-length"))).StatusCode);

            // An emptied file is refused on reload: the running token stays, the API never opens.
            await File.WriteAllTextAsync(file, "");
            var refused = new HttpRequestMessage(HttpMethod.Post, "/api/reload") { Headers = { Authorization = new("Bearer", "a-new-token-of-enough-length") } };
            Assert.Equal((HttpStatusCode)422, (await f.Admin.SendAsync(refused)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await f.Admin.SendAsync(Get("/api/status"))).StatusCode);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("evil.example")]
    [InlineData("evil.example:9090")]
    [InlineData("127.0.0.1.evil.example")]
    public async Task Without_a_token_a_foreign_host_is_refused(string host)
    {
        await using var f = await DaemonFixture.StartAsync(1);
        var request = Get("/api/status");
        request.Headers.Host = host;
        Assert.Equal(HttpStatusCode.Forbidden, (await f.Admin.SendAsync(request)).StatusCode);
        var post = new HttpRequestMessage(HttpMethod.Post, "/api/reload");
        post.Headers.Host = host;
        Assert.Equal(HttpStatusCode.Forbidden, (await f.Admin.SendAsync(post)).StatusCode);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.2:9")]
    [InlineData("[::1]:9090")]
    public async Task Without_a_token_loopback_hosts_are_served(string host)
    {
        await using var f = await DaemonFixture.StartAsync(1);
        var request = Get("/api/status");
        request.Headers.Host = host;
        Assert.Equal(HttpStatusCode.OK, (await f.Admin.SendAsync(request)).StatusCode);
    }

    [Theory]
    [InlineData("https://evil.example")]
    [InlineData("null")]
    [InlineData("http://127.0.0.1:1")] // another loopback origin is another site: a page on some other local port
    public async Task A_cross_site_post_is_refused(string origin)
    {
        await using var f = await DaemonFixture.StartAsync(1);
        var post = new HttpRequestMessage(HttpMethod.Post, $"/api/pools/web/backends/{f.Backend(0)}/disable");
        post.Headers.Add("Origin", origin);
        Assert.Equal(HttpStatusCode.Forbidden, (await f.Admin.SendAsync(post)).StatusCode);
        Assert.Equal(Vigil.Balancing.AdminState.Enabled, f.Daemon.Current.Pools["web"].Find(f.Backend(0))!.AdminState);

        var sameSite = new HttpRequestMessage(HttpMethod.Post, $"/api/pools/web/backends/{f.Backend(0)}/disable");
        sameSite.Headers.Add("Origin", $"http://127.0.0.1:{f.AdminPort}");
        Assert.Equal(HttpStatusCode.OK, (await f.Admin.SendAsync(sameSite)).StatusCode);
    }

    [Fact]
    public async Task A_cross_site_post_is_refused_even_with_a_token()
    {
        // A browser that cached Basic credentials sends them cross-site too: the token alone is no CSRF defence.
        await using var f = await DaemonFixture.StartAsync(1, WithAdmin($"token: {Token}"));
        var post = new HttpRequestMessage(HttpMethod.Post, "/api/reload");
        post.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:" + Token)));
        post.Headers.Add("Origin", "https://evil.example");
        Assert.Equal(HttpStatusCode.Forbidden, (await f.Admin.SendAsync(post)).StatusCode);
    }
}
