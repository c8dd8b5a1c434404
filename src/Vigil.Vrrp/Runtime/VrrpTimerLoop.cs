using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Vigil.Vrrp.Runtime;

/// <summary>
/// Runs VRRP timers and elections on one dedicated thread, not the thread pool, so pool starvation and
/// slow continuations elsewhere in the process do not make adverts late. Measures how late it wakes
/// (the time from a timer's due instant to handling it) and exposes it.
/// </summary>
public sealed partial class VrrpTimerLoop : IDisposable
{
    private readonly TimeProvider _time;
    private readonly long _origin;
    private readonly Thread _thread;
    private readonly ConcurrentQueue<(ILoopClient Client, LoopEvent Event)> _events = new();
    private readonly AutoResetEvent _wake = new(false);
    private readonly Lock _clientsLock = new();
    private ILoopClient[] _clients = [];
    private volatile bool _stopping;
    private long _timerFires;
    private long _lastLatenessTicks;
    private long _maxLatenessTicks;
    private long _totalLatenessTicks;

    public VrrpTimerLoop(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _origin = _time.GetTimestamp();
        _thread = new Thread(Run) { IsBackground = true, Name = "vigil-vrrp-timers", Priority = ThreadPriority.AboveNormal };
        _thread.Start();
    }

    /// <summary>The loop's monotonic time axis, the one elections run on.</summary>
    public TimeSpan Now => _time.GetElapsedTime(_origin);

    /// <summary>Timers fired so far.</summary>
    public long TimerFires => Interlocked.Read(ref _timerFires);

    /// <summary>How late the most recent timer was handled.</summary>
    public TimeSpan LastLateness => TimeSpan.FromTicks(Interlocked.Read(ref _lastLatenessTicks));

    /// <summary>The worst lateness seen since start.</summary>
    public TimeSpan MaxLateness => TimeSpan.FromTicks(Interlocked.Read(ref _maxLatenessTicks));

    public TimeSpan MeanLateness
    {
        get
        {
            var n = TimerFires;
            return n == 0 ? TimeSpan.Zero : TimeSpan.FromTicks(Interlocked.Read(ref _totalLatenessTicks) / n);
        }
    }

    internal void Add(ILoopClient client)
    {
        lock (_clientsLock)
        {
            _clients = [.. _clients, client];
        }
        _wake.Set();
    }

    internal void Remove(ILoopClient client)
    {
        lock (_clientsLock)
        {
            _clients = _clients.Where(c => c != client).ToArray();
        }
    }

    internal void Post(ILoopClient client, in LoopEvent e)
    {
        _events.Enqueue((client, e));
        _wake.Set();
    }

    private void Run()
    {
        while (!_stopping)
        {
            while (_events.TryDequeue(out var item))
            {
                HandleEvent(item.Client, item.Event);
            }

            var clients = Volatile.Read(ref _clients);
            var now = Now;
            TimeSpan? earliest = null;
            foreach (var client in clients)
            {
                if (client.NextDue is not { } due)
                {
                    continue;
                }
                if (due <= now)
                {
                    HandleDue(client, now);
                    // After the work it measures: a backup's first record comes at its takeover, and the metrics
                    // SDK's first-call cost (measured: 2.5 ms) must not delay the takeover advert.
                    RecordLateness(now - due);
                    due = client.NextDue ?? TimeSpan.MaxValue;
                }
                if (earliest is null || due < earliest)
                {
                    earliest = due;
                }
            }

            now = Now;
            var remaining = earliest is { } next ? next - now : TimeSpan.FromSeconds(1);
            if (remaining <= TimeSpan.Zero)
            {
                continue;
            }
            if (remaining < OneMillisecond)
            {
                // The last part of a wait, precisely: waits on the event count whole milliseconds, and rounding up
                // made every timer up to 1 ms late (a takeover included). A posted event waits at most this long.
                SleepPrecisely(remaining);
                continue;
            }
            // Wait for a posted event or until just before the next due time (whole milliseconds, rounded down).
            var wait = (int)Math.Min(Math.Floor(remaining.TotalMilliseconds), 1000);
            _wake.WaitOne(Math.Max(wait, 0));
        }
    }

    // One instance's failure must not stop the timers of the others: catch, report, go on.
    private void HandleEvent(ILoopClient client, in LoopEvent e)
    {
        try
        {
            client.OnEvent(e, Now);
            e.Done?.TrySetResult();
        }
        catch (Exception ex)
        {
            if (e.Done is null || !e.Done.TrySetException(ex))
            {
                Trace.TraceError("vrrp timer loop: {0}", ex);
            }
        }
    }

    private static void HandleDue(ILoopClient client, TimeSpan now)
    {
        try
        {
            client.OnDue(now);
        }
        catch (Exception ex)
        {
            Trace.TraceError("vrrp timer loop: {0}", ex);
        }
    }

    private void RecordLateness(TimeSpan lateness)
    {
        var ticks = lateness.Ticks;
        Interlocked.Increment(ref _timerFires);
        Interlocked.Exchange(ref _lastLatenessTicks, ticks);
        Interlocked.Add(ref _totalLatenessTicks, ticks);
        if (ticks > Interlocked.Read(ref _maxLatenessTicks))
        {
            Interlocked.Exchange(ref _maxLatenessTicks, ticks);
        }
        VrrpMetrics.TimerLateness.Record(lateness.TotalSeconds);
    }

    private static readonly TimeSpan OneMillisecond = TimeSpan.FromMilliseconds(1);

    private static void SleepPrecisely(TimeSpan duration)
    {
        if (!OperatingSystem.IsLinux())
        {
            Thread.Sleep(1);
            return;
        }
        var request = new Timespec { Seconds = 0, Nanoseconds = duration.Ticks * 100 };
        nanosleep(request, IntPtr.Zero); // EINTR: the loop recomputes and sleeps again if still early
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc")]
    private static partial int nanosleep(in Timespec request, IntPtr remaining);

    public void Dispose()
    {
        _stopping = true;
        _wake.Set();
        if (Thread.CurrentThread != _thread)
        {
            _thread.Join(TimeSpan.FromSeconds(5));
        }
        _wake.Dispose();
    }
}
