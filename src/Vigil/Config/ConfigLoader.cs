using System.Net;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Vigil.Config;

/// <summary>
/// Loads a Vigil YAML config: file → YAML → typed model → validation, reporting every error at once
/// with its line. Uses YamlDotNet's representation model because, unlike its deserializer, it keeps
/// the position of every node. Never throws on user input.
/// </summary>
public static class ConfigLoader
{
    /// <summary>Reads and validates a file; relative paths in it (password_file, disk.path...) resolve against its directory.</summary>
    public static ConfigLoadResult LoadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return new ConfigLoadResult(null, [new ConfigError(path, 0, $"cannot read: {ex.Message}")]);
        }
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        return LoadText(text, path, directory);
    }

    /// <summary>Validates config text; <paramref name="fileName"/> is what errors print.</summary>
    public static ConfigLoadResult LoadText(string text, string fileName, string? baseDirectory = null) =>
        LoadText(text, fileName, baseDirectory, Dns.GetHostAddresses);

    internal static ConfigLoadResult LoadText(string text, string fileName, string? baseDirectory, Func<string, IPAddress[]> resolve)
    {
        var reader = new ConfigReader(fileName);
        // YAML forbids tabs in indentation; YamlDotNet reports it at the enclosing mapping's line,
        // so find the offending lines ourselves.
        var lineNumber = 0;
        foreach (var line in text.Split('\n'))
        {
            lineNumber++;
            var indent = line.Length - line.TrimStart(' ', '\t').Length;
            if (line.AsSpan(0, indent).Contains('\t') && line.Trim().Length > 0)
                reader.Error(lineNumber, "", "YAML syntax: a tab in the indentation (indent with spaces)");
        }
        if (reader.Errors.Count > 0) return new ConfigLoadResult(null, reader.Errors);

        var stream = new YamlStream();
        // Not YamlDotNet's MergingParser: it repeats overridden keys, which the representation model
        // then rejects as duplicates; merge keys are reported as unsupported instead (MappingReader).
        var parser = new Parser(new StringReader(text));
        try
        {
            stream.Load(parser);
        }
        catch (YamlException ex)
        {
            reader.Error((int)Math.Max(1, ex.Start.Line), "", "YAML syntax: " + SyntaxMessage(ex));
            return new ConfigLoadResult(null, reader.Errors);
        }
        catch (Exception)
        {
            // YamlDotNet's scanner fails this way on some unterminated flow collections; the last
            // event it produced is the best position we have.
            var line = (int)Math.Max(1, parser.Current?.End.Line ?? 1);
            reader.Error(line, "", "YAML syntax: unterminated [ ] or { } after this line");
            return new ConfigLoadResult(null, reader.Errors);
        }
        if (stream.Documents.Count == 0)
        {
            reader.Error(1, "", "the file is empty");
            return new ConfigLoadResult(null, reader.Errors);
        }
        if (stream.Documents.Count > 1)
            reader.Error(ConfigReader.Line(stream.Documents[1].RootNode), "", "only one YAML document is allowed");

        var config = new ConfigParser(reader, baseDirectory, resolve).Parse(stream.Documents[0].RootNode);
        var errors = reader.Errors.OrderBy(e => e.Line).ToList(); // stable: same-line errors keep their order
        return new ConfigLoadResult(config, errors);
    }

    /// <summary>YamlDotNet's message without its "(Line: 3, Col: 5, Idx: ...) - (...)" prefix: we print the line ourselves.</summary>
    private static string SyntaxMessage(YamlException ex)
    {
        var m = ex.Message;
        var dash = m.IndexOf("): ", StringComparison.Ordinal);
        return m.StartsWith("(Line:", StringComparison.Ordinal) && dash >= 0 ? m[(dash + 3)..] : m;
    }
}
