using System.Runtime.CompilerServices;

namespace Vigil.Config;

/// <summary>
/// Where each parsed item (pool, backend, listener, route, cache, VRRP instance) was written, for
/// messages after validation (<c>vigil.yaml:12: cannot listen on 0.0.0.0:80</c>). Kept beside the
/// records rather than in them so that moving a block in the file does not make it "changed" on reload.
/// </summary>
public static class ConfigLines
{
    private static readonly ConditionalWeakTable<object, StrongBox<int>> Lines = new();

    /// <summary>The 1-based line of an item returned by the loader; 0 for items built in code or copied with <c>with</c>.</summary>
    public static int Of(object item) => Lines.TryGetValue(item, out var box) ? box.Value : 0;

    internal static T At<T>(T item, int line) where T : class
    {
        Lines.AddOrUpdate(item, new StrongBox<int>(line));
        return item;
    }
}
