namespace AotPipe.Benchmarks.Upstream;

/// <summary>A wire body in one array, handed out at most a fixed number of bytes per read, synchronously, as a busy
/// socket would: it allocates nothing, so a benchmark over it measures the reader alone.</summary>
internal sealed class InMemoryChunkedStream : Stream
{
    private readonly byte[] _data;
    private readonly int _readSize;
    private int _position;

    public InMemoryChunkedStream(byte[] data, int readSize)
    {
        _data = data;
        _readSize = readSize;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => _data.Length;

    public override long Position { get => _position; set => throw new NotSupportedException(); }

    /// <summary>Rewinds to the start of the body.</summary>
    public void Reset() => _position = 0;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = Math.Min(Math.Min(buffer.Length, _readSize), _data.Length - _position);
        _data.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => new(Read(buffer.Span));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
