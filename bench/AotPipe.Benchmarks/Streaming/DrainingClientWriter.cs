using System.IO.Pipelines;

namespace AotPipe.Benchmarks.Streaming;

/// <summary>A client that takes every flush at once (as Kestrel's socket writer does when the peer keeps up): one reused
/// array, emptied on each flush, so the writer itself never allocates.</summary>
internal sealed class DrainingClientWriter : PipeWriter
{
    private readonly byte[] _buffer;
    private int _written;

    public DrainingClientWriter(int capacity) => _buffer = new byte[capacity];

    /// <summary>Bytes flushed since the last <see cref="Reset"/>.</summary>
    public long Flushed { get; private set; }

    /// <summary>Forgets what was flushed.</summary>
    public void Reset()
    {
        _written = 0;
        Flushed = 0;
    }

    public override void Advance(int bytes) => _written += bytes;

    public override Memory<byte> GetMemory(int sizeHint = 0) => _buffer.AsMemory(_written);

    public override Span<byte> GetSpan(int sizeHint = 0) => _buffer.AsSpan(_written);

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        Flushed += _written;
        _written = 0;
        return new ValueTask<FlushResult>(new FlushResult(isCanceled: false, isCompleted: false));
    }

    public override void CancelPendingFlush()
    {
    }

    public override void Complete(Exception? exception = null)
    {
    }
}
