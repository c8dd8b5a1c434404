using System.Net;
using Vigil.Proxy.Tcp;

namespace Vigil.Proxy.Tests.Tcp;

public class ClientHashTests
{
    [Fact]
    public void Same_address_same_hash_and_mapped_ipv4_counts_as_ipv4()
    {
        var a = IPAddress.Parse("192.0.2.10");
        Assert.Equal(ClientHash.Of(a), ClientHash.Of(IPAddress.Parse("192.0.2.10")));
        Assert.Equal(ClientHash.Of(a), ClientHash.Of(a.MapToIPv6()));
        Assert.NotEqual(ClientHash.Of(a), ClientHash.Of(IPAddress.Parse("192.0.2.11")));
        Assert.NotEqual(ClientHash.Of(IPAddress.Parse("2001:db8::1")), ClientHash.Of(IPAddress.Parse("2001:db8::2")));
    }

    [Fact]
    public void Neighbouring_addresses_spread_over_backends()
    {
        // 256 consecutive client addresses over 3 backends: each gets a fair share (not all on one).
        var counts = new int[3];
        for (var i = 0; i < 256; i++) counts[ClientHash.Of(new IPAddress([10, 0, 0, (byte)i])) % 3]++;
        Assert.All(counts, c => Assert.InRange(c, 60, 110));
    }
}
