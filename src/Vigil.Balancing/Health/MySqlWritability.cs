namespace Vigil.Balancing.Health;

/// <summary>
/// Decides whether a server takes writes from its read-only switches. Pure, so it is tested on
/// the values both MySQL and MariaDB report without a server.
/// </summary>
public static class MySqlWritability
{
    /// <summary>The variables that each forbid ordinary writes; a server reports only those it has (MariaDB has no super_read_only).</summary>
    public static readonly IReadOnlyList<string> Variables = ["read_only", "super_read_only", "innodb_read_only"];

    /// <summary>
    /// Up when every reported switch is off; otherwise down with the switches that are on, in a
    /// fixed order (<c>read_only=1</c>, <c>read_only=1, super_read_only=1</c>).
    /// </summary>
    /// <param name="reported">Variable name (any case) → value as the server printed it.</param>
    public static ProbeResult Evaluate(IReadOnlyDictionary<string, string?> reported)
    {
        // A server that hides read_only is not one we can call writable.
        if (!reported.ContainsKey("read_only")) return new ProbeResult(false, "read_only not reported");
        string? on = null;
        foreach (var name in Variables)
        {
            if (!reported.TryGetValue(name, out var value) || IsOff(value)) continue;
            on = on is null ? name + "=1" : on + ", " + name + "=1";
        }
        return on is null ? new ProbeResult(true, "writable") : new ProbeResult(false, on);
    }

    // SHOW VARIABLES prints OFF/ON; SELECT @@x gives 0/1; MariaDB 11 made read_only an enum whose
    // other values (ON, NO_LOCK, NO_LOCK_NO_ADMIN) all forbid writes, so only OFF/0 counts as off.
    private static bool IsOff(string? value) =>
        value is not null && (value == "0" || string.Equals(value, "OFF", StringComparison.OrdinalIgnoreCase));
}
