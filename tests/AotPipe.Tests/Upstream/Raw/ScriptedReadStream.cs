namespace AotPipe.Tests.Upstream.Raw;

/// <summary>A read-only stream that answers each read with the next scripted piece (or less, if the caller's buffer is
/// smaller), then end of stream, as a socket delivering the pieces one recv at a time would.</summary>
internal sealed class ScriptedReadStream : Stream
{
    private readonly Queue<byte[]> _pieces;
    private byte[]? _current;
    private int _offset;

    public ScriptedReadStream(params byte[][] pieces) => _pieces = new Queue<byte[]>(pieces);

    public int Reads { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        Reads++;
        while (_current is null || _offset == _current.Length)
        {
            if (!_pieces.TryDequeue(out _current))
            {
                return 0;
            }

            _offset = 0;
        }

        var n = Math.Min(buffer.Length, _current.Length - _offset);
        _current.AsSpan(_offset, n).CopyTo(buffer);
        _offset += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => new(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
