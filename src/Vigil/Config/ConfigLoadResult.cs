namespace Vigil.Config;

/// <summary>
/// The outcome of loading a config file: the model when it is valid, and every error found in one pass.
/// </summary>
public sealed class ConfigLoadResult
{
    internal ConfigLoadResult(VigilConfig? config, IReadOnlyList<ConfigError> errors)
    {
        Errors = errors;
        Config = errors.Count == 0 ? config : null;
    }

    /// <summary>The validated model; null when <see cref="Errors"/> is not empty.</summary>
    public VigilConfig? Config { get; }

    /// <summary>Every error, ordered by line.</summary>
    public IReadOnlyList<ConfigError> Errors { get; }

    public bool IsValid => Errors.Count == 0;
}
