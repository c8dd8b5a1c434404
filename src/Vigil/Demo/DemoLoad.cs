using System.Collections.Concurrent;

namespace Vigil.Demo;

/// <summary>A steady, bounded client load for the demo: one request every 20 ms, counting answers per origin and failures.</summary>
public sealed class DemoLoad(HttpClient client)
{
    private readonly ConcurrentDictionary<string, int> _byOrigin = new();
    private int _ok;
    private int _failed;

    public int Ok => Volatile.Read(ref _ok);
    public int Failed => Volatile.Read(ref _failed);

    public string ByOrigin() => string.Join(", ", _byOrigin.OrderBy(p => p.Key).Select(p => $"{p.Key}={p.Value}"));

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        for (var i = 0; i < 5000 && !cancellationToken.IsCancellationRequested; i++)
        {
            try
            {
                using var response = await client.GetAsync("/", cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref _ok);
                    var origin = response.Headers.TryGetValues("X-Origin", out var v) ? v.First() : "?";
                    _byOrigin.AddOrUpdate(origin, 1, (_, n) => n + 1);
                }
                else Interlocked.Increment(ref _failed);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { break; }
            catch (HttpRequestException) { Interlocked.Increment(ref _failed); }
            try
            {
                await Task.Delay(20, cancellationToken);
            }
            catch (OperationCanceledException) { break; }
        }
    }
}
