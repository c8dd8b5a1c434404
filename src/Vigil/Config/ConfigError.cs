namespace Vigil.Config;

/// <summary>One problem found in a config file, printed as <c>file:line: reason</c> like <c>nginx -t</c>.</summary>
/// <param name="File">The file name as given to the loader.</param>
/// <param name="Line">1-based line of the offending key or value.</param>
/// <param name="Message">What is wrong, starting with the key path (<c>pools.web.backends[1].weight: ...</c>).</param>
public sealed record ConfigError(string File, int Line, string Message)
{
    public override string ToString() => $"{File}:{Line}: {Message}";
}
