namespace Vigil.Config;

/// <summary>
/// What a reload changes, by name in each section. A reload rebuilds only what changed: an unchanged
/// listener keeps its socket and in-flight work, an unchanged pool its health state. Items compare by
/// value (the model's lists and maps do too), and their position in the file does not count.
/// </summary>
public sealed record ConfigDiff
{
    public required SectionDiff Pools { get; init; }
    public required SectionDiff Listeners { get; init; }
    public required SectionDiff Caches { get; init; }
    public required SectionDiff Vrrp { get; init; }
    public bool NodeChanged { get; init; }
    public bool AdminChanged { get; init; }

    public bool IsEmpty => !NodeChanged && !AdminChanged && Pools.IsEmpty && Listeners.IsEmpty && Caches.IsEmpty && Vrrp.IsEmpty;

    public static ConfigDiff Between(VigilConfig before, VigilConfig after) => new()
    {
        Pools = SectionDiff.Of(before.Pools, after.Pools, p => p.Name),
        Listeners = SectionDiff.Of(before.Listeners, after.Listeners, l => l.Name),
        Caches = SectionDiff.Of(before.Caches, after.Caches, c => c.Name),
        Vrrp = SectionDiff.Of(before.Vrrp, after.Vrrp, v => v.Name),
        NodeChanged = before.Node != after.Node,
        AdminChanged = before.Admin != after.Admin,
    };

    public override string ToString() =>
        IsEmpty ? "no change" : string.Join("; ", new[]
        {
            NodeChanged ? "node changed" : null,
            AdminChanged ? "admin changed" : null,
            Pools.Describe("pools"),
            Listeners.Describe("listeners"),
            Caches.Describe("caches"),
            Vrrp.Describe("vrrp"),
        }.Where(s => s is not null));
}

/// <summary>Names added, removed and changed in one section, in file order.</summary>
public sealed record SectionDiff(IReadOnlyList<string> Added, IReadOnlyList<string> Removed, IReadOnlyList<string> Changed)
{
    public bool IsEmpty => Added.Count == 0 && Removed.Count == 0 && Changed.Count == 0;

    internal static SectionDiff Of<T>(IReadOnlyList<T> before, IReadOnlyList<T> after, Func<T, string> name) where T : class
    {
        var old = before.ToDictionary(name);
        var added = new List<string>();
        var changed = new List<string>();
        foreach (var item in after)
        {
            if (!old.TryGetValue(name(item), out var previous)) added.Add(name(item));
            else if (!EqualityComparer<T>.Default.Equals(previous, item)) changed.Add(name(item));
        }
        var kept = after.Select(name).ToHashSet();
        var removed = before.Select(name).Where(n => !kept.Contains(n)).ToList();
        return new SectionDiff(ValueList<string>.From(added), ValueList<string>.From(removed), ValueList<string>.From(changed));
    }

    internal string? Describe(string section)
    {
        if (IsEmpty) return null;
        var parts = new List<string>();
        if (Added.Count > 0) parts.Add("+" + string.Join(" +", Added));
        if (Removed.Count > 0) parts.Add("-" + string.Join(" -", Removed));
        if (Changed.Count > 0) parts.Add("~" + string.Join(" ~", Changed));
        return $"{section} {string.Join(" ", parts)}";
    }
}
