using System.Text.Json;

namespace Vigil.Vrrp.Tests;

/// <summary>Finds ../shared/testdata/vrrp by walking up from the test binary, and reads its files.</summary>
internal static class TestData
{
    private static readonly Lazy<string> s_dir = new(Locate);
    private static readonly Lazy<JsonDocument> s_vectors = new(() => JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, "vectors.json"))));

    public static string Directory => s_dir.Value;

    public static JsonElement Vector(string file) => s_vectors.Value.RootElement.GetProperty(file);

    public static IEnumerable<string> VectorNames() =>
        s_vectors.Value.RootElement.EnumerateObject().Select(p => p.Name);

    public static IEnumerable<string> HexFiles() =>
        System.IO.Directory.GetFiles(Directory, "*.hex").Select(Path.GetFileName).Order().Cast<string>();

    public static byte[] Hex(string file)
    {
        var text = string.Concat(File.ReadAllLines(Path.Combine(Directory, file))
            .Where(l => !l.StartsWith('#'))
            .SelectMany(l => l.Where(c => !char.IsWhiteSpace(c))));
        return Convert.FromHexString(text);
    }

    private static string Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "testdata", "vrrp");
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new DirectoryNotFoundException("shared/testdata/vrrp not found next to any ancestor of " + AppContext.BaseDirectory);
    }
}
