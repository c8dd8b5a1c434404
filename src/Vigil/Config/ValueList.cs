using System.Collections;

namespace Vigil.Config;

/// <summary>
/// A read-only list with value equality, so config records compare by content: a reload can tell an
/// unchanged listener or pool from a changed one with <c>==</c>.
/// </summary>
public sealed class ValueList<T> : IReadOnlyList<T>, IEquatable<ValueList<T>>
{
    private readonly T[] _items;

    public ValueList(IEnumerable<T> items) => _items = items.ToArray();

    public static ValueList<T> Empty { get; } = new([]);

    public static ValueList<T> From(IEnumerable<T> items) => items as ValueList<T> ?? new ValueList<T>(items);

    public T this[int index] => _items[index];
    public int Count => _items.Length;
    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)_items).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();

    public bool Equals(ValueList<T>? other) =>
        other is not null && _items.AsSpan().SequenceEqual(other._items, EqualityComparer<T>.Default);

    public override bool Equals(object? obj) => obj is ValueList<T> other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in _items) hash.Add(item);
        return hash.ToHashCode();
    }

    public override string ToString() => $"[{string.Join(", ", _items)}]";
}

/// <summary>A read-only dictionary with value equality (order-insensitive), for the same reason as <see cref="ValueList{T}"/>.</summary>
public sealed class ValueMap<TKey, TValue> : IReadOnlyDictionary<TKey, TValue>, IEquatable<ValueMap<TKey, TValue>>
    where TKey : notnull
{
    private readonly Dictionary<TKey, TValue> _items;

    public ValueMap(IEnumerable<KeyValuePair<TKey, TValue>> items, IEqualityComparer<TKey>? comparer = null) =>
        _items = new Dictionary<TKey, TValue>(items, comparer ?? (items as Dictionary<TKey, TValue>)?.Comparer);

    public static ValueMap<TKey, TValue> Empty { get; } = new([]);

    public static ValueMap<TKey, TValue> From(IReadOnlyDictionary<TKey, TValue> items) =>
        items as ValueMap<TKey, TValue> ?? new ValueMap<TKey, TValue>(items);

    public TValue this[TKey key] => _items[key];
    public IEnumerable<TKey> Keys => _items.Keys;
    public IEnumerable<TValue> Values => _items.Values;
    public int Count => _items.Count;
    public bool ContainsKey(TKey key) => _items.ContainsKey(key);
    public bool TryGetValue(TKey key, out TValue value) => _items.TryGetValue(key, out value!);
    public IEnumerator<KeyValuePair<TKey, TValue>> GetEnumerator() => _items.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();

    public bool Equals(ValueMap<TKey, TValue>? other)
    {
        if (other is null || other.Count != Count) return false;
        foreach (var (k, v) in _items)
            if (!other._items.TryGetValue(k, out var o) || !EqualityComparer<TValue>.Default.Equals(v, o)) return false;
        return true;
    }

    public override bool Equals(object? obj) => obj is ValueMap<TKey, TValue> other && Equals(other);

    public override int GetHashCode()
    {
        var hash = 0;
        foreach (var (k, v) in _items) hash ^= HashCode.Combine(_items.Comparer.GetHashCode(k), v);
        return hash;
    }
}
