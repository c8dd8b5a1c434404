using Vigil.Caching;
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
        var o = new CacheOptions { Name = name };
        if (m.Size("memory") is { } memory) o = o with { MemoryBytes = memory };
        if (m.Mapping("disk", DiskKeys) is { } d)
        {
            d.Require("path");
            d.Require("size");
            if (d.String("path") is { } diskPath && d.Size("size") is { } size)
                o = o with { DiskPath = ResolvePath(diskPath), DiskBytes = size };
        }
        if (m.Size("max_object_size") is { } maxObject)
        {
            var largestStore = Math.Max(o.MemoryBytes, o.DiskBytes);
            if (largestStore > 0 && maxObject > largestStore)
                _r.Error(m.ValueLine("max_object_size"), m.PathOf("max_object_size"),
                    $"{ConfigSize.Format(maxObject)} is larger than the cache itself ({ConfigSize.Format(largestStore)})");
            else o = o with { MaxObjectBytes = maxObject };
        }
        if (m.Duration("grace") is { } grace) o = o with { Grace = grace };
        if (m.Bool("store_set_cookie") is { } cookie) o = o with { StoreSetCookie = cookie };
        if (m.Duration("stale_while_revalidate") is { } swr) o = o with { StaleWhileRevalidate = swr };
        if (m.Duration("stale_if_error") is { } sie) o = o with { StaleIfError = sie };
        if (m.Duration("collapse_timeout") is { } collapse) o = o with { CollapseTimeout = collapse };
        if (m.Duration("hit_for_pass") is { } hfp) o = o with { HitForPassTtl = hfp };
        Library(m, o.Validate(), name);
        var cache = new CacheConfig { Options = o };
        return ConfigLines.At(cache, m.Line);
    }
}
