using System.Diagnostics;
using System.Globalization;

namespace Vigil.Tests.Lab;

/// <summary>
/// A client in its namespace asking the virtual address every 50 ms, a fresh TCP connection each time (as a
/// new user would), recording when each answer came and from which node. One small Python loop inside the
/// namespace rather than one `ip netns exec curl` per request, so the timestamps are not blurred by process
/// start-up. Bounded in count (400) and time (20 s).
/// </summary>
internal sealed class ClientProbe : IDisposable
{
    // Prints "<ms since start> ok <body>" or "<ms since start> fail <error>" per request.
    private const string Script = """
        import sys, time, urllib.request
        url = sys.argv[1]
        t0 = time.monotonic()
        for i in range(400):
            start = time.monotonic()
            if start - t0 > 20: break
            try:
                with urllib.request.urlopen(url, timeout=1) as r:
                    print(f"{(time.monotonic() - t0) * 1000:.1f} ok {r.read().decode().strip()}", flush=True)
            except Exception as e:
                print(f"{(time.monotonic() - t0) * 1000:.1f} fail {type(getattr(e, 'reason', e)).__name__}", flush=True)
            time.sleep(max(0.0, 0.05 - (time.monotonic() - start)))
        """;

    private readonly List<(TimeSpan At, TimeSpan ProbeAt, string? Body)> _results = [];
    private readonly List<string> _failures = [];
    private readonly Stopwatch _clock;
    private readonly LabProcess _process;

    /// <param name="clock">The test's clock: <see cref="AnsweredSince"/> compares against it.</param>
    public ClientProbe(NetnsLab lab, string client, string url, Stopwatch clock)
    {
        _clock = clock;
        _process = new LabProcess("probe", lab.Ns(client), OnLine, "/usr/bin/python3", "-c", Script, url);
    }

    public IReadOnlyList<(TimeSpan At, TimeSpan ProbeAt, string? Body)> Results
    {
        get
        {
            lock (_results) return _results.ToArray();
        }
    }

    /// <summary>Whether an answer containing <paramref name="text"/> arrived after <paramref name="since"/> on the test's clock.</summary>
    public bool AnsweredSince(TimeSpan since, string text) => Results.Any(r => r.At > since && r.Body?.Contains(text, StringComparison.Ordinal) == true);

    /// <summary>
    /// The longest time the client went without an answer, on the probe's own clock: between two consecutive
    /// answered requests (from the last answer before a failure to the first answer after it).
    /// </summary>
    public (TimeSpan Gap, string Failures, int Requests) LongestGap()
    {
        var results = Results;
        var answered = results.Where(r => r.Body is not null).Select(r => r.ProbeAt).ToArray();
        var gap = TimeSpan.Zero;
        for (var i = 1; i < answered.Length; i++)
        {
            if (answered[i] - answered[i - 1] > gap) gap = answered[i] - answered[i - 1];
        }
        string failures;
        lock (_results) failures = _failures.Count == 0 ? "none" : string.Join(", ", _failures.GroupBy(f => f).Select(g => $"{g.Count()}× {g.Key}"));
        return (gap, failures, results.Count);
    }

    /// <summary>When, on the test's clock, the first answer containing <paramref name="text"/> after <paramref name="since"/> arrived.</summary>
    public TimeSpan FirstAnswerSince(TimeSpan since, string text) =>
        Results.First(r => r.At > since && r.Body?.Contains(text, StringComparison.Ordinal) == true).At;

    private void OnLine(string line)
    {
        var parts = line.Split(' ', 3);
        if (parts.Length < 2 || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var ms)) return;
        var body = parts[1] == "ok" && parts.Length == 3 ? parts[2] : null;
        lock (_results)
        {
            _results.Add((_clock.Elapsed, TimeSpan.FromMilliseconds(ms), body));
            if (body is null) _failures.Add(parts.Length == 3 ? parts[2] : "?");
        }
    }

    public void Dispose() => _process.Dispose();
}
