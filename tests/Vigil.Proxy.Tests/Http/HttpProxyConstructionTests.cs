using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Balancing;
using Vigil.Proxy.Http;
using Vigil.Proxy.Http.Routing;
using Vigil.Proxy.Http.Upstream;

namespace Vigil.Proxy.Tests.Http;

public class HttpProxyConstructionTests
{
    [Fact]
    public void A_route_naming_a_missing_pool_is_refused_at_construction()
    {
        using var upstream = YarpUpstream.Create();
        var routes = new RouteTable([new RouteOptions { Name = "www/0", Pool = "nope" }]);
        var pools = new Dictionary<string, Pool> { ["web"] = TestPools.Create("web", ["127.0.0.1:1"]) };
        var error = Assert.Throws<ArgumentException>(() =>
            new HttpProxy(routes, pools, upstream, NullLogger.Instance, new HttpProxyOptions { ListenerName = "www" }));
        Assert.Contains("www/0", error.Message);
        Assert.Contains("nope", error.Message);
    }
}
