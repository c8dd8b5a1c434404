using System.Net;
using Vigil.Proxy.Http;

namespace Vigil.Proxy.Tests.Http;

public class ClientHashTests
{
    [Fact]
    public void Same_client_same_hash_whichever_socket_family_accepted_it()
    {
        var v4 = IPAddress.Parse("192.0.2.10");
        Assert.Equal(ClientHash.Of(v4), ClientHash.Of(IPAddress.Parse("192.0.2.10")));
        Assert.Equal(ClientHash.Of(v4), ClientHash.Of(v4.MapToIPv6()));
    }

    [Fact]
    public void Neighbouring_clients_spread_over_the_hash_space()
    {
        // 1000 consecutive addresses into 10 buckets by the top bits: each bucket near 100.
        var buckets = new int[10];
        for (var i = 0; i < 1000; i++)
        {
            var address = new IPAddress(new byte[] { 10, 0, (byte)(i >> 8), (byte)i });
            buckets[(int)((ClientHash.Of(address) >> 32) % 10)]++;
        }
        Assert.All(buckets, b => Assert.InRange(b, 60, 140));
        Assert.NotEqual(ClientHash.Of(IPAddress.Parse("::1")), ClientHash.Of(IPAddress.Parse("::2")));
        Assert.Equal(0UL, ClientHash.Of(null));
    }
}
