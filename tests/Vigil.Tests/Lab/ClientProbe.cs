using System.Diagnostics;

namespace Vigil.Tests.Lab;

/// <summary>
/// A client in its namespace asking the virtual address every 50 ms with curl (a fresh TCP connection each
/// time, as a new user would), recording when each answer came and from which node. Bounded in count and time.
/// </summary>
internal sealed class ClientProbe
{
    private const int MaxRequests = 400;
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(50);

    private readonly Netns _lab;
    private readonly string _client;
    private readonly string _url;
    private readonly List<(TimeSpan At, string? Body)> _results = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public ClientProbe(Netns lab, string client, string url)
    {
        _lab = lab;
        _client = client;
        _url = url;
    }

    /// <summary>Time since the probe was created, on the clock of <see cref="Results"/>.</summary>
    public TimeSpan Now => _clock.Elapsed;

    public void Start() => _loop = Task.Run(RunAsync);

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null) await _loop;
    }

    /// <summary>Each request's completion time and the body (null when it failed).</summary>
    public IReadOnlyList<(TimeSpan At, string? Body)> Results
    {
        get
        {
            lock (_results) return _results.ToArray();
        }
    }

    /// <summary>Whether some request completed after <paramref name="since"/> was answered by a body containing <paramref name="text"/>.</summary>
    public bool AnsweredSince(TimeSpan since, string text) => Results.Any(r => r.At > since && r.Body?.Contains(text, StringComparison.Ordinal) == true);

    /// <summary>
    /// The longest time the client went without an answer: between two consecutive answered requests
    /// (from the last answer before a failure to the first answer after it).
    /// </summary>
    public (TimeSpan Gap, int Failures) LongestGap()
    {
        var results = Results;
        var answered = results.Where(r => r.Body is not null).Select(r => r.At).ToArray();
        var gap = TimeSpan.Zero;
        for (var i = 1; i < answered.Length; i++)
        {
            if (answered[i] - answered[i - 1] > gap) gap = answered[i] - answered[i - 1];
        }
        return (gap, results.Count(r => r.Body is null));
    }

    private async Task RunAsync()
    {
        for (var i = 0; i < MaxRequests && !_stop.IsCancellationRequested; i++)
        {
            var started = _clock.Elapsed;
            var (exitCode, output) = await Task.Run(() => _lab.Exec(_client, "curl", "-s", "--max-time", "1", _url));
            lock (_results) _results.Add((_clock.Elapsed, exitCode == 0 ? output : null));
            var wait = Every - (_clock.Elapsed - started);
            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
