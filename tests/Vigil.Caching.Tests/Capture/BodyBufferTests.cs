using Vigil.Caching.Capture;

namespace Vigil.Caching.Tests.Capture;

public class BodyBufferTests
{
    private static byte[] Pattern(int n) => Enumerable.Range(0, n).Select(i => (byte)(i * 31)).ToArray();

    [Fact]
    public void UnannouncedBodyIsJoinedFromChunksInOrder()
    {
        var data = Pattern(50_000);
        using var buffer = new BodyBuffer(1 << 20, announcedLength: null);
        for (var offset = 0; offset < data.Length; offset += 7_001)
            buffer.Append(data.AsSpan(offset, Math.Min(7_001, data.Length - offset)));
        Assert.Equal(data.Length, buffer.Length);
        Assert.Equal(data, buffer.ToArray());
    }

    [Fact]
    public void AnnouncedBodyFillsOneExactArray()
    {
        var data = Pattern(1000);
        using var buffer = new BodyBuffer(1 << 20, announcedLength: 1000);
        buffer.Append(data.AsSpan(0, 400));
        buffer.Append(data.AsSpan(400));
        Assert.Equal(data, buffer.ToArray());
    }

    [Fact]
    public void OverflowPastLimitOrAnnouncedLengthDropsTheCopy()
    {
        using var limited = new BodyBuffer(100, announcedLength: null);
        limited.Append(Pattern(60));
        limited.Append(Pattern(60));
        Assert.True(limited.Overflowed);
        Assert.Throws<InvalidOperationException>(() => limited.ToArray());

        using var lying = new BodyBuffer(1000, announcedLength: 10);
        lying.Append(Pattern(11));
        Assert.True(lying.Overflowed);
    }
}
