using System.Net;
using Vigil.Config;

namespace Vigil.Tests.Config;

/// <summary>Table tests of the value parsers: durations, sizes, addresses, suggestions.</summary>
public class ConfigValueTests
{
    [Theory]
    [InlineData("0", 0)]
    [InlineData("250ms", 250)]
    [InlineData("2s", 2_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("40.95s", 40_950)]
    [InlineData("1m", 60_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1d", 86_400_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1h2m3s4ms", 3_723_004)]
    [InlineData(" 10ms ", 10)]
    public void Duration_parses(string text, long ms)
    {
        Assert.True(ConfigDuration.TryParse(text, out var value, out var error), error);
        Assert.Equal(TimeSpan.FromMilliseconds(ms), value);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("5", "needs a unit")]
    [InlineData("2sec", "unknown unit 'sec'")]
    [InlineData("2S", "unknown unit 'S'")]
    [InlineData("-1s", "negative")]
    [InlineData("s", "is not a duration")]
    [InlineData("1.2.3s", "is not a duration")]
    [InlineData("30s1m", "largest to smallest")]
    [InlineData("1s1s", "largest to smallest")]
    [InlineData("99999999999d", "too long")]
    public void Duration_rejects(string text, string fragment)
    {
        Assert.False(ConfigDuration.TryParse(text, out _, out var error));
        Assert.Contains(fragment, error);
    }

    [Theory]
    [InlineData(0, "0")]
    [InlineData(250, "250ms")]
    [InlineData(1_500, "1.5s")]
    [InlineData(120_000, "2m")]
    [InlineData(7_200_000, "2h")]
    public void Duration_formats(long ms, string text) => Assert.Equal(text, ConfigDuration.Format(TimeSpan.FromMilliseconds(ms)));

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("1048576", 1_048_576L)]
    [InlineData("512B", 512L)]
    [InlineData("512KiB", 512L * 1024)]
    [InlineData("64MiB", 64L * 1024 * 1024)]
    [InlineData("1GiB", 1L << 30)]
    [InlineData("1.5GiB", 3L << 29)]
    [InlineData("2TiB", 2L << 40)]
    [InlineData("10KB", 10_000L)]
    [InlineData("64MB", 64_000_000L)]
    [InlineData("1GB", 1_000_000_000L)]
    [InlineData("64 MiB", 64L * 1024 * 1024)]
    public void Size_parses(string text, long bytes)
    {
        Assert.True(ConfigSize.TryParse(text, out var value, out var error), error);
        Assert.Equal(bytes, value);
    }

    [Theory]
    [InlineData("64M", "unknown unit 'M'")]
    [InlineData("64mib", "unknown unit 'mib'")]
    [InlineData("-1", "negative")]
    [InlineData("lots", "is not a size")]
    [InlineData("1.5", "whole number of bytes")]
    [InlineData("99999999TiB", "too large")]
    public void Size_rejects(string text, string fragment)
    {
        Assert.False(ConfigSize.TryParse(text, out _, out var error));
        Assert.Contains(fragment, error);
    }

    [Theory]
    [InlineData(1L << 20, "1MiB")]
    [InlineData(1536, "1536B")]
    [InlineData(3L << 30, "3GiB")]
    public void Size_formats(long bytes, string text) => Assert.Equal(text, ConfigSize.Format(bytes));

    [Theory]
    [InlineData("127.0.0.1:80", "127.0.0.1", 80)]
    [InlineData("[::1]:8080", "::1", 8080)]
    [InlineData("localhost:3306", "localhost", 3306)]
    [InlineData("db-1.example.com:5432", "db-1.example.com", 5432)]
    public void Host_port_parses(string text, string host, int port)
    {
        Assert.True(ConfigAddress.TryParseHostPort(text, out var h, out var p, out var error), error);
        Assert.Equal((host, port), (h, p));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1:80")]
    [InlineData("[::1]")]
    [InlineData("[::1]80")]
    [InlineData("1.2.3:80")]
    [InlineData("1.2.3.256:80")]
    [InlineData("host:port")]
    [InlineData("-bad-.com:80")]
    [InlineData(":80")]
    public void Host_port_rejects(string text) => Assert.False(ConfigAddress.TryParseHostPort(text, out _, out _, out _));

    [Theory]
    [InlineData("192.0.2.50/24", "192.0.2.50", 24)]
    [InlineData("192.0.2.50", "192.0.2.50", 32)]
    [InlineData("2001:db8::50/64", "2001:db8::50", 64)]
    [InlineData("2001:db8::50", "2001:db8::50", 128)]
    public void Prefix_parses(string text, string address, int prefix)
    {
        Assert.True(ConfigAddress.TryParsePrefix(text, out var a, out var p, out var error), error);
        Assert.Equal((IPAddress.Parse(address), prefix), (a, p));
    }

    [Theory]
    [InlineData("192.0.2.50/33")]
    [InlineData("2001:db8::/129")]
    [InlineData("192.0.2/24")]
    [InlineData("fe80::1%eth0/64")]
    [InlineData("192.0.2.1/-1")]
    public void Prefix_rejects(string text) => Assert.False(ConfigAddress.TryParsePrefix(text, out _, out _, out _));

    [Fact]
    public void Network_clears_host_bits()
    {
        Assert.True(ConfigAddress.TryParseNetwork("10.1.2.3/8", out var n, out _));
        Assert.Equal(IPNetwork.Parse("10.0.0.0/8"), n);
        Assert.True(n.Contains(IPAddress.Parse("10.200.0.1")));
    }

    [Theory]
    [InlineData("wieght", "weight")]
    [InlineData("listners", "listeners")]
    [InlineData("round-robbin", "round-robin")]
    [InlineData("leastconnections", "least-connections")]
    [InlineData("zzzzzz", null)]
    public void Suggestion_finds_typos(string word, string? expected) =>
        Assert.Equal(expected, Suggestion.Closest(word, ["weight", "listeners", "round-robin", "least-connections", "backup"]));
}
