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
    private void Library(MappingReader m, IEnumerable<string> errors, string ownerName)
    {
        foreach (var error in errors)
        {
            var message = error;
            var colon = message.IndexOf(": ", StringComparison.Ordinal);
            if (colon > 0 && message.AsSpan(0, colon).EndsWith(ownerName, StringComparison.Ordinal)) message = message[(colon + 2)..];
            var space = message.IndexOf(' ');
            var key = space > 0 ? message[..space] : "";
            var (line, path) = m.Has(key) ? (m.ValueLine(key), m.PathOf(key)) : (m.Line, m.Path);
            if (m.Has(key)) message = message[(space + 1)..];
            // A value the parser already refused left a default behind: one error per line is enough.
            if (_r.Errors.Any(e => e.Line == line)) continue;
            _r.Error(line, path, message);
        }
    }
}
