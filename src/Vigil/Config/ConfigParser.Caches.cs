using YamlDotNet.RepresentationModel;

namespace Vigil.Config;

internal sealed partial class ConfigParser
{
    private static readonly string[] CacheKeys =
    [
        "memory", "disk", "max_object_size", "grace", "store_set_cookie",
        "stale_while_revalidate", "stale_if_error", "collapse_timeout", "hit_for_pass",
    ];
    private static readonly string[] DiskKeys = ["path", "size"];

    private List<CacheConfig> ParseCaches(MappingReader root)
    {
        var caches = new List<CacheConfig>();
        if (root.FreeMapping("caches") is not { } section) return caches;
        foreach (var (k, v) in section.Children)
        {
            var name = (k as YamlScalarNode)?.Value ?? "";
            var path = $"caches.{name}";
            if (!ConfigWords.IsName(name))
            {
                _r.Error(k, path, ConfigWords.NameRule);
                continue;
            }
            if (ParseCache(name, v, path, ConfigReader.Line(k)) is { } cache) caches.Add(cache);
        }
        return caches;
    }

    private CacheConfig? ParseCache(string name, YamlNode node, string path, int line)
    {
        var m = _r.Mapping(node, path, CacheKeys, line);
        if (m is null) return null;
        var cache = new CacheConfig { Name = name };
        if (m.Size("memory") is { } memory) cache = cache with { Memory = memory };
        if (m.Mapping("disk", DiskKeys) is { } d)
        {
            d.Require("path");
            d.Require("size");
            var diskPath = d.String("path");
            var size = d.Size("size");
            if (size is 0) _r.Error(d.ValueLine("size"), d.PathOf("size"), "must be greater than 0");
            if (diskPath is not null && size is > 0) cache = cache with { Disk = new DiskStoreConfig(ResolvePath(diskPath), size.Value) };
        }
        if (cache.Memory == 0 && !m.Has("disk"))
            _r.Error(m.ValueLine("memory"), m.PathOf("memory"), "a cache needs memory greater than 0 or a disk store");

        var largestStore = Math.Max(cache.Memory, cache.Disk?.Size ?? 0);
        if (m.Size("max_object_size") is { } maxObject)
        {
            if (maxObject == 0)
                _r.Error(m.ValueLine("max_object_size"), m.PathOf("max_object_size"), "must be greater than 0");
            else if (largestStore > 0 && maxObject > largestStore)
                _r.Error(m.ValueLine("max_object_size"), m.PathOf("max_object_size"),
                    $"{ConfigSize.Format(maxObject)} is larger than the cache itself ({ConfigSize.Format(largestStore)})");
            else cache = cache with { MaxObjectSize = maxObject };
        }
        else if (largestStore > 0)
        {
            // One object may not take a whole small cache: default 16 MiB, at most an eighth of the store.
            cache = cache with { MaxObjectSize = Math.Min(CacheConfig.DefaultMaxObjectSize, Math.Max(1, largestStore / 8)) };
        }
        if (m.Duration("grace") is { } grace) cache = cache with { Grace = grace };
        if (m.Bool("store_set_cookie") is { } cookie) cache = cache with { StoreSetCookie = cookie };
        if (m.Duration("stale_while_revalidate") is { } swr) cache = cache with { StaleWhileRevalidate = swr };
        if (m.Duration("stale_if_error") is { } sie) cache = cache with { StaleIfError = sie };
        if (Positive(m, "collapse_timeout") is { } collapse) cache = cache with { CollapseTimeout = collapse };
        if (m.Duration("hit_for_pass") is { } hfp) cache = cache with { HitForPass = hfp };
        return ConfigLines.At(cache, m.Line);
    }
}
