using Vigil.Caching.Capture;

namespace Vigil.Caching.Tests.Capture;

public class BodyBufferTests
{
    private static byte[] Pattern(int n) => Enumerable.Range(0, n).Select(i => (byte)(i * 31)).ToArray();

    [Fact]
    public void UnannouncedBodyIsJoinedFromChunksInOrder()
    {
        var data = Pattern(50_000);
        using var buffer = new BodyBuffer(1 << 20, announcedLength: null, new CaptureBudget(1 << 30));
        for (var offset = 0; offset < data.Length; offset += 7_001)
            buffer.Append(data.AsSpan(offset, Math.Min(7_001, data.Length - offset)));
        Assert.Equal(data.Length, buffer.Length);
        Assert.Equal(data, buffer.ToArray());
    }

    [Fact]
    public void AnnouncedBodyFillsOneExactArray()
    {
        var data = Pattern(1000);
        using var buffer = new BodyBuffer(1 << 20, announcedLength: 1000, new CaptureBudget(1 << 30));
        buffer.Append(data.AsSpan(0, 400));
        buffer.Append(data.AsSpan(400));
        Assert.Equal(data, buffer.ToArray());
    }

    [Fact]
    public void OverflowPastLimitOrAnnouncedLengthDropsTheCopy()
    {
        using var limited = new BodyBuffer(100, announcedLength: null, new CaptureBudget(1 << 30));
        limited.Append(Pattern(60));
        limited.Append(Pattern(60));
        Assert.True(limited.Overflowed);
        Assert.Throws<InvalidOperationException>(() => limited.ToArray());

        using var lying = new BodyBuffer(1000, announcedLength: 10, new CaptureBudget(1 << 30));
        lying.Append(Pattern(11));
        Assert.True(lying.Overflowed);
    }

    [Fact]
    public void SharedBudgetCapsConcurrentCapturesAndIsReleasedOnDispose()
    {
        var budget = new CaptureBudget(40 * 1024);
        var a = new BodyBuffer(1 << 20, announcedLength: 30 * 1024, budget);
        Assert.False(a.Overflowed);
        Assert.Equal(30 * 1024, budget.Used);
        var b = new BodyBuffer(1 << 20, announcedLength: null, budget);
        b.Append(Pattern(20 * 1024)); // needs two 16 KiB chunks, only 10 KiB left
        Assert.True(b.Overflowed);
        Assert.Equal(30 * 1024, budget.Used);
        a.Dispose();
        b.Dispose();
        Assert.Equal(0, budget.Used);
        using var c = new BodyBuffer(1 << 20, announcedLength: 40 * 1024, budget);
        Assert.False(c.Overflowed);
    }
}
