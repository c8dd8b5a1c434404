namespace Vigil.Balancing.Health;

/// <summary>What a MySQL/MariaDB backend must be for its pool: the writable primary or a replica that keeps up.</summary>
public enum MySqlRole
{
    /// <summary>Up only while writable (<c>read_only</c>, <c>super_read_only</c>, <c>innodb_read_only</c> all off).</summary>
    Primary,
    /// <summary>Up only while both replication threads run and the lag is known and within <c>max_lag</c>.</summary>
    Replica,
}

/// <summary>Parses the <c>role</c> word of a MySQL health check.</summary>
public static class MySqlRoles
{
    /// <summary>Returns true and the role for "primary" or "replica" (any case).</summary>
    public static bool TryParse(string? text, out MySqlRole role)
    {
        if (string.Equals(text, "primary", StringComparison.OrdinalIgnoreCase)) { role = MySqlRole.Primary; return true; }
        if (string.Equals(text, "replica", StringComparison.OrdinalIgnoreCase)) { role = MySqlRole.Replica; return true; }
        role = default;
        return false;
    }
}
