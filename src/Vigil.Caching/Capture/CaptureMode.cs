namespace Vigil.Caching.Capture;

/// <summary>What happens to an origin response once its status and headers are known.</summary>
internal enum CaptureMode
{
    /// <summary>Nothing written yet.</summary>
    Undecided,
    /// <summary>Sent on to the client (and copied when storable).</summary>
    Pass,
    /// <summary>Withheld: a 304 or an error that the cache answers from the stored response instead.</summary>
    Suppress,
}
