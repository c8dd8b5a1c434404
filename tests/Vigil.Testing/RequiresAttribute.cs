using Xunit;

namespace Vigil.Testing;

/// <summary>
/// Where the real servers the tests start are installed: a test that needs one is skipped, with
/// the reason, on a machine without it (a developer's laptop), and runs in CI, which installs them
/// all (scripts/test.sh).
/// </summary>
public static class Installed
{
    private static readonly string[] SearchPath =
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Concat(["/usr/sbin", "/sbin", "/usr/bin", "/bin"]).Distinct().ToArray();

    /// <summary>Whether every one of <paramref name="programs"/> is on the path (or in /usr/sbin, where Debian puts daemons).</summary>
    public static bool All(params string[] programs) => programs.All(p => SearchPath.Any(dir => File.Exists(Path.Combine(dir, p))));

    /// <summary>The skip reason when some of <paramref name="programs"/> are missing, else null.</summary>
    public static string? Missing(params string[] programs)
    {
        var missing = programs.Where(p => !All(p)).ToArray();
        return missing.Length == 0 ? null : $"needs {string.Join(", ", missing)} (not installed; scripts/test.sh installs it as root)";
    }
}

/// <summary>A fact that is skipped, with the reason, when a program it starts is not installed.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class FactRequiresAttribute : FactAttribute
{
    public FactRequiresAttribute(params string[] programs) => Skip = Installed.Missing(programs);
}

/// <summary>A theory that is skipped, with the reason, when a program it starts is not installed.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class TheoryRequiresAttribute : TheoryAttribute
{
    public TheoryRequiresAttribute(params string[] programs) => Skip = Installed.Missing(programs);
}
