using System.Text;
using System.Text.Json;

namespace Vigil.Admin;

/// <summary>Renders <c>/api/status</c> JSON as the plain-text tables <c>vigil status</c> prints.</summary>
public static class StatusTable
{
    public static string Render(JsonElement status)
    {
        var text = new StringBuilder();
        text.AppendLine($"node {Str(status, "node")}  generation {Str(status, "generation")}  loaded {Str(status, "loaded_at")}");
        if (status.TryGetProperty("last_reload", out var reload) && reload.TryGetProperty("ok", out var ok) && !ok.GetBoolean())
        {
            text.AppendLine("last reload FAILED (running config kept):");
            foreach (var e in reload.GetProperty("errors").EnumerateArray()) text.AppendLine("  " + e.GetString());
        }

        if (status.TryGetProperty("listeners", out var listeners) && listeners.GetArrayLength() > 0)
        {
            text.AppendLine();
            Table(text, ["LISTENER", "PROTOCOL", "LISTEN"],
                listeners.EnumerateArray().Select(l => new[] { Str(l, "name"), Str(l, "protocol"), Str(l, "listen") }));
        }

        foreach (var pool in Items(status, "pools"))
        {
            text.AppendLine();
            text.AppendLine($"pool {Str(pool, "name")} ({Str(pool, "scheduler")}, {Str(pool, "eligible")} eligible)");
            Table(text, ["BACKEND", "STATE", "WEIGHT", "ACTIVE", "REQUESTS", "FAILURES", "SINCE", "REASON"],
                Items(pool, "backends").Select(b => new[]
                {
                    Str(b, "address") + (b.TryGetProperty("backup", out var bk) && bk.GetBoolean() ? " (backup)" : ""),
                    Str(b, "state"), Str(b, "weight"), Str(b, "active"), Str(b, "requests"), Str(b, "failures"),
                    Since(b), Str(b, "reason"),
                }));
        }

        var vrrp = Items(status, "vrrp").ToArray();
        if (vrrp.Length > 0)
        {
            text.AppendLine();
            Table(text, ["VRRP", "STATE", "PRIORITY", "MASTER"],
                vrrp.Select(v => new[] { Str(v, "name"), Str(v, "state"), Str(v, "effective_priority"), Str(v, "master_address") }));
        }

        var caches = Items(status, "caches").ToArray();
        if (caches.Length > 0)
        {
            text.AppendLine();
            Table(text, ["CACHE", "ENTRIES", "BYTES", "HITS", "MISSES", "STALE"],
                caches.Select(c => new[] { Str(c, "name"), Str(c, "entries"), Str(c, "bytes"), Str(c, "hits"), Str(c, "misses"), Str(c, "stale_served") }));
        }
        return text.ToString();
    }

    private static IEnumerable<JsonElement> Items(JsonElement e, string name) =>
        e.TryGetProperty(name, out var a) && a.ValueKind == JsonValueKind.Array ? a.EnumerateArray() : [];

    private static string Str(JsonElement e, string name) =>
        !e.TryGetProperty(name, out var v) ? "-" : v.ValueKind switch
        {
            JsonValueKind.String => v.GetString() ?? "",
            JsonValueKind.Null => "-",
            _ => v.GetRawText(),
        };

    private static string Since(JsonElement b)
    {
        if (!b.TryGetProperty("since", out var s) || !s.TryGetDateTimeOffset(out var since)) return "-";
        var age = DateTimeOffset.UtcNow - since;
        return age.TotalSeconds < 120 ? $"{age.TotalSeconds:0}s" : age.TotalMinutes < 120 ? $"{age.TotalMinutes:0}m" : $"{age.TotalHours:0}h";
    }

    private static void Table(StringBuilder text, string[] header, IEnumerable<string[]> rows)
    {
        var all = new List<string[]> { header };
        all.AddRange(rows);
        var widths = new int[header.Length];
        foreach (var row in all)
            for (var i = 0; i < row.Length; i++) widths[i] = Math.Max(widths[i], row[i].Length);
        foreach (var row in all)
            text.AppendLine(string.Join("  ", row.Select((c, i) => i == row.Length - 1 ? c : c.PadRight(widths[i]))).TrimEnd());
    }
}
