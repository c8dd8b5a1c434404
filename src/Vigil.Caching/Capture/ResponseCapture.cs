using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Vigil.Caching.Capture;

/// <summary>
/// Stands in for the client's response body while the origin writes into it. At the first write, flush or
/// start it asks its owner what to do with this status and these headers: pass them to the client (teeing
/// the body into a <see cref="BodyBuffer"/> when storable) or withhold them (a 304 or 5xx the cache answers
/// itself). Nothing reaches the client before that decision, so a suppressed response can be replaced.
/// </summary>
internal sealed class ResponseCapture : Stream, IHttpResponseBodyFeature
{
    private readonly IHttpResponseBodyFeature _inner;
    private readonly Func<CaptureMode> _decide;
    private PipeWriter? _writer;

    public ResponseCapture(IHttpResponseBodyFeature inner, Func<CaptureMode> decide)
    {
        _inner = inner;
        _decide = decide;
    }

    public CaptureMode Mode { get; private set; }

    /// <summary>The stored copy, set by the owner's decision when the response is storable.</summary>
    public BodyBuffer? Buffer { get; set; }

    // IHttpResponseBodyFeature
    public Stream Stream => this;
    public PipeWriter Writer => _writer ??= PipeWriter.Create(this, new StreamPipeWriterOptions(leaveOpen: true));
    public void DisableBuffering() => _inner.DisableBuffering();

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Decide() == CaptureMode.Pass) await _inner.StartAsync(cancellationToken);
    }

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
        SendFileFallback.SendFileAsync(this, path, offset, count, cancellationToken);

    public async Task CompleteAsync()
    {
        await FinishAsync();
        if (Mode == CaptureMode.Pass) await _inner.CompleteAsync();
    }

    /// <summary>Flushes what the origin left in the pipe writer and makes the decision if none was made.</summary>
    public async Task FinishAsync()
    {
        if (_writer is not null) await _writer.CompleteAsync();
        Decide();
    }

    private CaptureMode Decide()
    {
        if (Mode == CaptureMode.Undecided) Mode = _decide();
        return Mode;
    }

    // Stream
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Flush()
    {
        if (Decide() == CaptureMode.Pass) _inner.Stream.Flush();
    }

    public override Task FlushAsync(CancellationToken cancellationToken) =>
        Decide() == CaptureMode.Pass ? _inner.Stream.FlushAsync(cancellationToken) : Task.CompletedTask;

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (Decide() != CaptureMode.Pass) return;
        Buffer?.Append(buffer);
        _inner.Stream.Write(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (Decide() != CaptureMode.Pass) return default;
        Buffer?.Append(buffer.Span);
        return _inner.Stream.WriteAsync(buffer, cancellationToken);
    }
}
