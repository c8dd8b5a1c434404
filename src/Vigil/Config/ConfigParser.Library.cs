namespace Vigil.Config;

internal sealed partial class ConfigParser
{
    /// <summary>
    /// Reports a library's own validation of the record just built from <paramref name="m"/> as
    /// <c>file:line: path.key: reason</c>. The libraries word their messages <c>owner name: key rule</c>
    /// (<c>cache main: memory must be at least 64KiB</c>); the key, when it is one of this mapping's,
    /// gives the line and the path. This is how `check`, `run` and reload all apply exactly the rules
    /// the runtime would otherwise throw on (issue 9: a disk-only cache passed check, then run aborted).
    /// </summary>
    /// <param name="sections">Readers of nested mappings, for keys the library words <c>health.timeout</c>.</param>
    private void Library(MappingReader m, IEnumerable<string> errors, string ownerName, IReadOnlyDictionary<string, MappingReader?>? sections = null)
    {
        foreach (var error in errors)
        {
            var message = error;
            var colon = message.IndexOf(": ", StringComparison.Ordinal);
            if (colon > 0 && message.AsSpan(0, colon).EndsWith(ownerName, StringComparison.Ordinal)) message = message[(colon + 2)..];
            var space = message.IndexOf(' ');
            var word = space > 0 ? message[..space] : "";
            var reader = m;
            var key = word;
            var dot = word.IndexOf('.');
            if (dot > 0 && sections is not null && sections.TryGetValue(word[..dot], out var section) && section is not null)
                (reader, key) = (section, word[(dot + 1)..]);
            var bracket = key.IndexOf('['); // backends[2] weight ...: the list's line
            if (bracket > 0) key = key[..bracket];
            var known = reader.Has(key);
            var (line, path) = known ? (reader.ValueLine(key), reader.PathOf(word[(dot + 1)..])) : (reader.Line, reader.Path);
            if (known) message = message[(space + 1)..];
            else if (reader != m) message = word[(dot + 1)..] + message[space..]; // "role is required", under pools.web.health
            // A value the parser already refused left a default behind: one error per key is enough.
            if (_r.Errors.Any(e => e.Line == line && e.Message.StartsWith(path + ":", StringComparison.Ordinal))) continue;
            _r.Error(line, path, message);
        }
    }
}
