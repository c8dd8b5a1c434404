using Vigil.Vrrp.Runtime;

namespace Vigil.Vrrp.Tests.Runtime;

/// <summary>The timer thread fires due clients, handles posted events on its own thread, and measures lateness.</summary>
public sealed class VrrpTimerLoopTests
{
    private sealed class Ticker(VrrpTimerLoop loop, TimeSpan period, int count) : ILoopClient
    {
        public readonly List<TimeSpan> Fired = [];
        public readonly List<int> EventThreads = [];
        public int FireThread;
        private TimeSpan? _due = loop.Now + period;

        public TimeSpan? NextDue => _due;

        public void OnDue(TimeSpan now)
        {
            Fired.Add(now);
            FireThread = Environment.CurrentManagedThreadId;
            _due = Fired.Count < count ? _due + period : null;
        }

        public void OnEvent(in LoopEvent e, TimeSpan now) => EventThreads.Add(Environment.CurrentManagedThreadId);
    }

    [Fact]
    public async Task FiresInOrderNeverEarlyAndMeasuresLateness()
    {
        using var loop = new VrrpTimerLoop();
        var period = TimeSpan.FromMilliseconds(20);
        var start = loop.Now;
        var ticker = new Ticker(loop, period, 10);
        loop.Add(ticker);
        for (var i = 0; i < 200 && ticker.NextDue is not null; i++)
        {
            await Task.Delay(20);
        }
        Assert.Null(ticker.NextDue);
        Assert.Equal(10, ticker.Fired.Count);
        for (var i = 0; i < 10; i++)
        {
            // Never before its due time: due = start + (i + 1) × period.
            Assert.True(ticker.Fired[i] >= start + (i + 1) * period, $"fire {i} early");
        }
        Assert.Equal(10, loop.TimerFires);
        Assert.True(loop.MaxLateness >= loop.MeanLateness);
        Assert.True(loop.MaxLateness >= TimeSpan.Zero);
        Assert.NotEqual(Environment.CurrentManagedThreadId, ticker.FireThread);
    }

    [Fact]
    public async Task PostedEventsRunOnTheLoopThreadAndCompleteTheirTask()
    {
        using var loop = new VrrpTimerLoop();
        var ticker = new Ticker(loop, TimeSpan.FromMilliseconds(5), 1);
        loop.Add(ticker);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        loop.Post(ticker, new LoopEvent { Kind = LoopEventKind.PriorityChanged, Done = done });
        await done.Task.WaitAsync(TimeSpan.FromSeconds(10));
        for (var i = 0; i < 200 && ticker.Fired.Count == 0; i++)
        {
            await Task.Delay(10);
        }
        Assert.Single(ticker.EventThreads);
        Assert.Equal(ticker.FireThread, ticker.EventThreads[0]);
    }

    [Fact]
    public async Task AThrowingClientDoesNotStopTheOthers()
    {
        using var loop = new VrrpTimerLoop();
        loop.Add(new Throwing(loop));
        var ticker = new Ticker(loop, TimeSpan.FromMilliseconds(10), 3);
        loop.Add(ticker);
        for (var i = 0; i < 200 && ticker.NextDue is not null; i++)
        {
            await Task.Delay(10);
        }
        Assert.Equal(3, ticker.Fired.Count);
    }

    private sealed class Throwing(VrrpTimerLoop loop) : ILoopClient
    {
        public TimeSpan? NextDue { get; private set; } = loop.Now;

        public void OnDue(TimeSpan now)
        {
            NextDue = null;
            throw new InvalidOperationException("boom");
        }

        public void OnEvent(in LoopEvent e, TimeSpan now) => throw new InvalidOperationException("boom");
    }
}
