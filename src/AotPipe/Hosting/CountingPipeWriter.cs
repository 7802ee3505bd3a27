using System.IO.Pipelines;

namespace AotPipe.Hosting;

/// <summary>Forwards to the response's <see cref="PipeWriter"/> and reports every committed byte count.</summary>
internal sealed class CountingPipeWriter : PipeWriter
{
    private readonly PipeWriter _inner;
    private readonly Action<int> _onWritten;

    /// <summary>Wraps <paramref name="inner"/>; <paramref name="onWritten"/> sees each committed count.</summary>
    public CountingPipeWriter(PipeWriter inner, Action<int> onWritten)
    {
        _inner = inner;
        _onWritten = onWritten;
    }

    /// <inheritdoc />
    public override bool CanGetUnflushedBytes => _inner.CanGetUnflushedBytes;

    /// <inheritdoc />
    public override long UnflushedBytes => _inner.UnflushedBytes;

    /// <inheritdoc />
    public override void Advance(int bytes)
    {
        _onWritten(bytes);
        _inner.Advance(bytes);
    }

    /// <inheritdoc />
    public override Memory<byte> GetMemory(int sizeHint = 0) => _inner.GetMemory(sizeHint);

    /// <inheritdoc />
    public override Span<byte> GetSpan(int sizeHint = 0) => _inner.GetSpan(sizeHint);

    /// <inheritdoc />
    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => _inner.FlushAsync(cancellationToken);

    /// <inheritdoc />
    public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        _onWritten(source.Length);
        return _inner.WriteAsync(source, cancellationToken);
    }

    /// <inheritdoc />
    public override void CancelPendingFlush() => _inner.CancelPendingFlush();

    /// <inheritdoc />
    public override void Complete(Exception? exception = null) => _inner.Complete(exception);

    /// <inheritdoc />
    public override ValueTask CompleteAsync(Exception? exception = null) => _inner.CompleteAsync(exception);
}
