namespace Vigil.Caching.Tests;

public class CacheOptionsTests
{
    [Fact]
    public void DefaultsAreValid() => Assert.Empty(new CacheOptions { Name = "main" }.Validate());

    [Fact]
    public void EveryProblemIsReportedAtOnce()
    {
        var errors = new CacheOptions
        {
            Name = "bad", MemoryBytes = 1000, MaxObjectBytes = 0, Grace = TimeSpan.FromSeconds(-1),
            HitForPassTtl = TimeSpan.FromSeconds(-1), CollapseTimeout = TimeSpan.Zero, DiskPath = "/tmp/x", DiskBytes = 0,
        }.Validate();
        Assert.Equal(6, errors.Count);
        Assert.All(errors, e => Assert.StartsWith("cache bad:", e));
        Assert.Throws<ArgumentException>(() => new HttpCache(new CacheOptions { Name = "bad", MemoryBytes = 1000 }));
    }

    [Fact]
    public void ObjectLimitNeverExceedsAQuarterOfMemory()
    {
        Assert.Equal(CacheOptions.MiB, new CacheOptions { Name = "m", MemoryBytes = 4 * CacheOptions.MiB }.EffectiveMaxObjectBytes);
        Assert.Equal(8 * CacheOptions.MiB, new CacheOptions { Name = "m" }.EffectiveMaxObjectBytes);
    }
}

public class DiskOnlyOptionsTests
{
    [Fact]
    public void MemoryZeroIsValidOnlyWithADiskStore()
    {
        Assert.Empty(new CacheOptions { Name = "d", MemoryBytes = 0, DiskPath = "/tmp/vigil-d", DiskBytes = 64 * CacheOptions.MiB }.Validate());
        var errors = new CacheOptions { Name = "m", MemoryBytes = 0 }.Validate();
        Assert.Single(errors);
        Assert.Contains("disk", errors[0]);
        Assert.Single(new CacheOptions { Name = "m", MemoryBytes = 1000, DiskPath = "/tmp/vigil-d", DiskBytes = 64 * CacheOptions.MiB }.Validate());
    }

    [Fact]
    public void ADiskOnlyCacheBoundsObjectsByAQuarterOfItsDisk()
    {
        var options = new CacheOptions { Name = "d", MemoryBytes = 0, DiskPath = "/tmp/vigil-d", DiskBytes = 16 * CacheOptions.MiB };
        Assert.True(options.IsDiskOnly);
        Assert.Equal(4 * CacheOptions.MiB, options.EffectiveMaxObjectBytes);
        Assert.Equal(8 * CacheOptions.MiB, (options with { DiskBytes = 4096 * CacheOptions.MiB }).EffectiveMaxObjectBytes);
    }

    [Fact]
    public void AnObjectLimitThatNoArrayCanHoldIsRefused() =>
        Assert.Equal(["cache m: max_object_size must be less than 2GiB"],
            new CacheOptions { Name = "m", MemoryBytes = 64L * 1024 * CacheOptions.MiB, MaxObjectBytes = 3L * 1024 * CacheOptions.MiB }.Validate());
}

public class StaleDefaultsOptionsTests
{
    [Fact]
    public void StaleDefaultsAreZeroAndMustNotBeNegative()
    {
        var defaults = new CacheOptions { Name = "s" };
        Assert.Equal((TimeSpan.Zero, TimeSpan.Zero), (defaults.StaleWhileRevalidate, defaults.StaleIfError));
        var errors = new CacheOptions { Name = "s", StaleWhileRevalidate = TimeSpan.FromSeconds(-1), StaleIfError = TimeSpan.FromSeconds(-1) }.Validate();
        Assert.Equal(["cache s: stale_while_revalidate must not be negative", "cache s: stale_if_error must not be negative"], errors);
    }
}
