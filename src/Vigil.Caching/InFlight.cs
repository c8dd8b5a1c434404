namespace Vigil.Caching;

/// <summary>An origin fetch in progress for one key, which concurrent misses wait on instead of fetching again.</summary>
internal sealed class InFlight
{
    private readonly TaskCompletionSource<FetchResult> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<FetchResult> Result => _done.Task;

    public void Complete(FetchResult result) => _done.TrySetResult(result);
}
