using System.Buffers;
using System.IO.Pipelines;

namespace AotPipe.Benchmarks.Streaming;

/// <summary>An upstream body held in one array and handed out a fixed number of bytes more per read, as a socket
/// would: no segments, no pool, so whatever a benchmark over it allocates is allocated by the code under test.</summary>
internal sealed class InMemoryUpstreamReader : PipeReader
{
    private readonly byte[] _data;
    private readonly int _readSize;
    private int _start;
    private int _end;

    public InMemoryUpstreamReader(byte[] data, int readSize)
    {
        _data = data;
        _readSize = readSize;
    }

    /// <summary>Rewinds to the beginning of the body.</summary>
    public void Reset()
    {
        _start = 0;
        _end = 0;
    }

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        TryRead(out var result);
        return new ValueTask<ReadResult>(result);
    }

    public override bool TryRead(out ReadResult result)
    {
        _end = Math.Min(_end + _readSize, _data.Length);
        result = new ReadResult(new ReadOnlySequence<byte>(_data, _start, _end - _start), isCanceled: false, isCompleted: _end == _data.Length);
        return true;
    }

    public override void AdvanceTo(SequencePosition consumed) => _start = consumed.GetInteger();

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => _start = consumed.GetInteger();

    public override void CancelPendingRead()
    {
    }

    public override void Complete(Exception? exception = null)
    {
    }
}
