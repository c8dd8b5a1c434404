using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Vigil.Config;

/// <summary>
/// Reads YAML nodes into typed values while collecting errors with their line numbers; never throws
/// on user input. One per load.
/// </summary>
internal sealed class ConfigReader(string file)
{
    public string File { get; } = file;
    public List<ConfigError> Errors { get; } = [];

    public void Error(int line, string path, string message) =>
        Errors.Add(new ConfigError(File, line, path.Length == 0 ? message : $"{path}: {message}"));

    public void Error(YamlNode node, string path, string message) => Error(Line(node), path, message);

    public static int Line(YamlNode node) => (int)Math.Max(1, node.Start.Line);

    /// <summary>
    /// A mapping with a fixed set of keys; unknown keys are reported (with a suggestion) and skipped.
    /// <paramref name="ownerLine"/> is the line of the key that holds it (<c>web:</c>), where a missing key is reported.
    /// </summary>
    public MappingReader? Mapping(YamlNode node, string path, IReadOnlyCollection<string> keys, int? ownerLine = null)
    {
        if (node is not YamlMappingNode map)
        {
            Error(node, path, $"expected a mapping, got {Describe(node)}");
            return null;
        }
        return new MappingReader(this, map, path, keys, ownerLine ?? Line(map));
    }

    /// <summary>A sequence; a mapping or scalar is reported.</summary>
    public YamlSequenceNode? Sequence(YamlNode node, string path)
    {
        if (node is YamlSequenceNode seq) return seq;
        Error(node, path, $"expected a list, got {Describe(node)}");
        return null;
    }

    /// <summary>A non-empty scalar's text, or null with an error.</summary>
    public string? Scalar(YamlNode node, string path, string what = "a string")
    {
        if (node is not YamlScalarNode scalar)
        {
            Error(node, path, $"expected {what}, got {Describe(node)}");
            return null;
        }
        if (IsNull(scalar))
        {
            Error(node, path, $"expected {what}, got nothing");
            return null;
        }
        return scalar.Value!;
    }

    public int? Int(YamlNode node, string path, int min, int max)
    {
        var s = Scalar(node, path, "a whole number");
        if (s is null) return null;
        if (!int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v))
        {
            Error(node, path, $"expected a whole number, got '{s}'");
            return null;
        }
        if (v < min || v > max)
        {
            Error(node, path, $"{v} is out of range {min}–{max}");
            return null;
        }
        return v;
    }

    public bool? Bool(YamlNode node, string path)
    {
        var s = Scalar(node, path, "true or false");
        if (s is null) return null;
        if (s is "true" or "True" or "TRUE") return true;
        if (s is "false" or "False" or "FALSE") return false;
        Error(node, path, $"expected true or false, got '{s}'");
        return null;
    }

    public TimeSpan? Duration(YamlNode node, string path)
    {
        var s = Scalar(node, path, "a duration");
        if (s is null) return null;
        if (ConfigDuration.TryParse(s, out var v, out var error)) return v;
        Error(node, path, error);
        return null;
    }

    public long? Size(YamlNode node, string path)
    {
        var s = Scalar(node, path, "a size");
        if (s is null) return null;
        if (ConfigSize.TryParse(s, out var v, out var error)) return v;
        Error(node, path, error);
        return null;
    }

    /// <summary>One of a fixed set of words (case-insensitive), with a suggestion when misspelt.</summary>
    public T? Word<T>(YamlNode node, string path, IReadOnlyDictionary<string, T> words, string what) where T : struct
    {
        var s = Scalar(node, path, what);
        if (s is null) return null;
        foreach (var (word, value) in words)
            if (string.Equals(word, s, StringComparison.OrdinalIgnoreCase)) return value;
        Error(node, path, $"unknown {what} '{s}'{Suggestion.Hint(s, words.Keys)}; expected one of: {string.Join(", ", words.Keys)}");
        return null;
    }

    public static bool IsNull(YamlScalarNode s) =>
        s.Style == YamlDotNet.Core.ScalarStyle.Plain && s.Value is null or "" or "~" or "null" or "Null" or "NULL";

    public static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode s when IsNull(s) => "nothing",
        YamlScalarNode s => $"'{s.Value}'",
        _ => "something else",
    };
}

/// <summary>Reads the keys of one YAML mapping; each accessor reports its own errors.</summary>
internal sealed class MappingReader
{
    private readonly ConfigReader _reader;
    private readonly Dictionary<string, (YamlScalarNode Key, YamlNode Value)> _entries = new(StringComparer.Ordinal);

    public MappingReader(ConfigReader reader, YamlMappingNode map, string path, IReadOnlyCollection<string> keys, int line)
    {
        Line = line;
        _reader = reader;
        Node = map;
        Path = path;
        foreach (var (k, v) in map.Children)
        {
            if (k is not YamlScalarNode key || key.Value is null)
            {
                reader.Error(k, path, "keys must be plain words");
                continue;
            }
            if (_entries.TryGetValue(key.Value, out var first))
            {
                reader.Error(key, Join(path, key.Value), $"duplicate key (first at line {ConfigReader.Line(first.Key)})");
                continue;
            }
            if (key.Value == "<<")
            {
                reader.Error(key, path, "YAML merge keys (<<) are not supported: repeat the settings (aliases *name work)");
                continue;
            }
            if (!keys.Contains(key.Value))
            {
                reader.Error(key, Join(path, key.Value), $"unknown key '{key.Value}'{Suggestion.Hint(key.Value, keys)}");
                continue;
            }
            _entries[key.Value] = (key, v);
        }
    }

    public YamlMappingNode Node { get; }
    /// <summary>Key path for messages; renamed once the item's name is known (<c>listeners[0]</c> → <c>listeners.www</c>).</summary>
    public string Path { get; set; }
    /// <summary>Line of the mapping's owner key, or of the mapping itself in a list.</summary>
    public int Line { get; }

    public static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    public string PathOf(string key) => Join(Path, key);

    public bool Has(string key) => _entries.ContainsKey(key);

    public YamlNode? Value(string key) => _entries.TryGetValue(key, out var e) ? e.Value : null;

    /// <summary>Line of the key itself (falls back to the mapping's line when absent).</summary>
    public int KeyLine(string key) => _entries.TryGetValue(key, out var e) ? ConfigReader.Line(e.Key) : Line;

    /// <summary>Line of the value (where a bad value is reported).</summary>
    public int ValueLine(string key) => _entries.TryGetValue(key, out var e) ? ConfigReader.Line(e.Value) : Line;

    /// <summary>Reports a missing required key at the mapping's line.</summary>
    public bool Require(string key)
    {
        if (Has(key)) return true;
        _reader.Error(Line, Path, $"'{key}' is required");
        return false;
    }

    public string? String(string key) => Value(key) is { } v ? _reader.Scalar(v, PathOf(key)) : null;

    public int? Int(string key, int min, int max) => Value(key) is { } v ? _reader.Int(v, PathOf(key), min, max) : null;

    public bool? Bool(string key) => Value(key) is { } v ? _reader.Bool(v, PathOf(key)) : null;

    public TimeSpan? Duration(string key) => Value(key) is { } v ? _reader.Duration(v, PathOf(key)) : null;

    public long? Size(string key) => Value(key) is { } v ? _reader.Size(v, PathOf(key)) : null;

    public T? Word<T>(string key, IReadOnlyDictionary<string, T> words, string what) where T : struct =>
        Value(key) is { } v ? _reader.Word(v, PathOf(key), words, what) : null;

    public MappingReader? Mapping(string key, IReadOnlyCollection<string> keys) =>
        Value(key) is { } v ? _reader.Mapping(v, PathOf(key), keys, KeyLine(key)) : null;

    /// <summary>A mapping whose keys are the operator's own (header names, pool names), not a fixed set.</summary>
    public YamlMappingNode? FreeMapping(string key)
    {
        if (Value(key) is not { } v) return null;
        if (v is YamlMappingNode map) return map;
        _reader.Error(v, PathOf(key), $"expected a mapping, got {ConfigReader.Describe(v)}");
        return null;
    }

    public YamlSequenceNode? Sequence(string key) => Value(key) is { } v ? _reader.Sequence(v, PathOf(key)) : null;

    /// <summary>A list of strings; a single string is taken as a list of one.</summary>
    public List<(string Value, YamlNode Node)>? Strings(string key)
    {
        if (Value(key) is not { } v) return null;
        var result = new List<(string, YamlNode)>();
        if (v is YamlScalarNode)
        {
            if (_reader.Scalar(v, PathOf(key)) is { } one) result.Add((one, v));
            return result;
        }
        if (_reader.Sequence(v, PathOf(key)) is not { } seq) return null;
        var i = 0;
        foreach (var item in seq)
        {
            if (_reader.Scalar(item, $"{PathOf(key)}[{i}]") is { } s) result.Add((s, item));
            i++;
        }
        return result;
    }

    /// <summary>Reports a key that does not apply in this context (e.g. <c>path</c> on a tcp check).</summary>
    public void Forbid(string key, string why)
    {
        if (Has(key)) _reader.Error(KeyLine(key), PathOf(key), why);
    }
}
