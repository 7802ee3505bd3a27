using System.Buffers;
using System.Text;
using System.Threading.Channels;
using AotPipe.Upstream.Raw;
using Xunit;

namespace AotPipe.Tests.Upstream.Raw;

/// <summary><see cref="RawBodyReader.CompleteAfterTerminal"/>: the end of a finished response's body is read in the
/// background so that its connection is reused; anything unusual closes the connection instead.</summary>
public sealed class RawBodyReaderDrainTests
{
    private const string TerminalEvent = "data: {\"type\":\"response.completed\"}\n\n";

    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task RestOfTheBodyArrivesLater_ConnectionReused()
    {
        var stream = new GatedReadStream();
        var owner = new Owner();
        var reader = await ReadTerminalAsync(stream, owner);

        reader.CompleteAfterTerminal();
        Assert.False(owner.Released.IsCompleted);
        stream.Send(Chunk("data: [DONE]\n\n") + "0\r\n\r\n");

        Assert.True(await owner.Released.WaitAsync(s_wait, TestContext.Current.CancellationToken));
        Assert.Throws<ObjectDisposedException>(() => reader.ReadAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task EndOfTheBodyAlreadyBuffered_ConnectionReused()
    {
        var stream = new GatedReadStream();
        var owner = new Owner();
        var reader = new RawBodyReader(stream, BodyFraming.Chunked, 0, default, keepAlive: true, owner);
        stream.Send(Chunk(TerminalEvent) + Chunk("data: [DONE]\n\n") + "0\r\n\r\n");
        var result = await reader.ReadAsync(TestContext.Current.CancellationToken);

        // The relay consumes the terminal event and stops reading: the rest is in the buffer, unexamined.
        reader.AdvanceTo(result.Buffer.GetPosition(TerminalEvent.Length));
        reader.CompleteAfterTerminal();

        Assert.True(await owner.Released.WaitAsync(s_wait, TestContext.Current.CancellationToken));
        Assert.Equal(0, stream.PendingReads);
    }

    [Fact]
    public async Task BodyAlreadyComplete_ReleasedAtOnce()
    {
        var stream = new GatedReadStream();
        var owner = new Owner();
        var reader = new RawBodyReader(stream, BodyFraming.Chunked, 0, default, keepAlive: true, owner);
        stream.Send(Chunk(TerminalEvent) + "0\r\n\r\n");
        var result = await reader.ReadAsync(TestContext.Current.CancellationToken);
        reader.AdvanceTo(result.Buffer.End);

        reader.CompleteAfterTerminal();

        Assert.True(owner.Released.IsCompletedSuccessfully);
        Assert.True(await owner.Released);
    }

    [Fact]
    public async Task BodyNeverEnds_ConnectionClosedAfterTheTimeout()
    {
        var stream = new GatedReadStream();
        var owner = new Owner();
        var reader = await ReadTerminalAsync(stream, owner);
        var started = TimeProvider.System.GetTimestamp();

        reader.CompleteAfterTerminal();

        Assert.False(await owner.Released.WaitAsync(s_wait, TestContext.Current.CancellationToken));
        var waited = TimeProvider.System.GetElapsedTime(started);
        Assert.InRange(waited, RawBodyReader.DrainTimeout - TimeSpan.FromMilliseconds(50), s_wait);
    }

    [Fact]
    public async Task DrainLimitExactly_ConnectionReused()
    {
        var stream = new GatedReadStream();
        var owner = new Owner();
        var reader = await ReadTerminalAsync(stream, owner);

        reader.CompleteAfterTerminal();
        stream.Send(Chunk(Event(RawBodyReader.MaxDrainBytes)) + "0\r\n\r\n");

        Assert.True(await owner.Released.WaitAsync(s_wait, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task OneByteOverTheDrainLimit_ConnectionClosed()
    {
        var stream = new GatedReadStream();
        var owner = new Owner();
        var reader = await ReadTerminalAsync(stream, owner);

        reader.CompleteAfterTerminal();
        stream.Send(Chunk(Event(RawBodyReader.MaxDrainBytes + 1)) + "0\r\n\r\n");

        Assert.False(await owner.Released.WaitAsync(s_wait, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task EventsKeepComing_ConnectionClosedPastTheDrainLimit()
    {
        var stream = new GatedReadStream();
        var owner = new Owner();
        var reader = await ReadTerminalAsync(stream, owner);

        reader.CompleteAfterTerminal();
        for (var sent = 0; sent <= RawBodyReader.MaxDrainBytes; sent += 1000)
        {
            stream.Send(Chunk(Event(1000)));
        }

        Assert.False(await owner.Released.WaitAsync(s_wait, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task BytesAfterTheEndOfTheBody_ConnectionClosed()
    {
        var stream = new GatedReadStream();
        var owner = new Owner();
        var reader = await ReadTerminalAsync(stream, owner);

        reader.CompleteAfterTerminal();
        stream.Send("0\r\n\r\nHTTP/1.1 200 OK\r\n");

        Assert.False(await owner.Released.WaitAsync(s_wait, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ConnectionEndsBeforeTheBody_ConnectionClosed()
    {
        var stream = new GatedReadStream();
        var owner = new Owner();
        var reader = await ReadTerminalAsync(stream, owner);

        reader.CompleteAfterTerminal();
        stream.End();

        Assert.False(await owner.Released.WaitAsync(s_wait, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task AfterACancelledRead_ClosedAtOnceWithoutReading()
    {
        var stream = new GatedReadStream();
        var owner = new Owner();
        var reader = await ReadTerminalAsync(stream, owner);
        using var cancel = new CancellationTokenSource();
        var pending = reader.ReadAsync(cancel.Token).AsTask();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);

        reader.CompleteAfterTerminal();

        Assert.True(owner.Released.IsCompletedSuccessfully);
        Assert.False(await owner.Released);
        Assert.Equal(0, stream.PendingReads);
    }

    [Fact]
    public async Task ServerAskedToClose_ClosedAtOnce()
    {
        var stream = new GatedReadStream();
        var owner = new Owner();
        var reader = await ReadTerminalAsync(stream, owner, keepAlive: false);

        reader.CompleteAfterTerminal();

        Assert.True(owner.Released.IsCompletedSuccessfully);
        Assert.False(await owner.Released);
    }

    [Fact]
    public async Task CompletedTwice_ReleasedOnce()
    {
        var stream = new GatedReadStream();
        var owner = new Owner();
        var reader = await ReadTerminalAsync(stream, owner);

        reader.CompleteAfterTerminal();
        reader.Complete();
        stream.Send("0\r\n\r\n");

        Assert.True(await owner.Released.WaitAsync(s_wait, TestContext.Current.CancellationToken));
        Assert.Equal(1, owner.Releases);
    }

    /// <summary>A reader that has handed out the terminal event, which the relay consumed.</summary>
    private static async Task<RawBodyReader> ReadTerminalAsync(GatedReadStream stream, Owner owner, bool keepAlive = true)
    {
        var reader = new RawBodyReader(stream, BodyFraming.Chunked, 0, default, keepAlive, owner);
        stream.Send(Chunk(TerminalEvent));
        var result = await reader.ReadAsync(TestContext.Current.CancellationToken);
        Assert.Equal(TerminalEvent, Encoding.ASCII.GetString(result.Buffer.ToArray()));
        reader.AdvanceTo(result.Buffer.End);
        return reader;
    }

    /// <summary>An SSE event of exactly <paramref name="bytes"/> bytes.</summary>
    private static string Event(int bytes) => "data: " + new string('x', bytes - 8) + "\n\n";

    private static string Chunk(string data) => $"{Encoding.ASCII.GetByteCount(data):x}\r\n{data}\r\n";

    private sealed class Owner : IRawBodyOwner
    {
        private readonly TaskCompletionSource<bool> _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _releases;

        public Task<bool> Released => _released.Task;

        public int Releases => Volatile.Read(ref _releases);

        public void Release(bool reusable)
        {
            Interlocked.Increment(ref _releases);
            _released.TrySetResult(reusable);
        }
    }

    /// <summary>A stream whose reads wait for what the test sends, as a socket waits for the network.</summary>
    private sealed class GatedReadStream : Stream
    {
        private readonly Channel<byte[]> _pieces = Channel.CreateUnbounded<byte[]>();
        private byte[]? _current;
        private int _offset;
        private int _pendingReads;

        public int PendingReads => Volatile.Read(ref _pendingReads);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public void Send(string text) => _pieces.Writer.TryWrite(Encoding.ASCII.GetBytes(text));

        public void End() => _pieces.Writer.TryComplete();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _pendingReads);
            try
            {
                while (_current is null || _offset == _current.Length)
                {
                    if (!await _pieces.Reader.WaitToReadAsync(cancellationToken))
                    {
                        return 0;
                    }

                    if (buffer.IsEmpty)
                    {
                        return 0;
                    }

                    _pieces.Reader.TryRead(out _current);
                    _offset = 0;
                }

                if (buffer.IsEmpty)
                {
                    return 0;
                }

                var n = Math.Min(buffer.Length, _current.Length - _offset);
                _current.AsMemory(_offset, n).CopyTo(buffer);
                _offset += n;
                return n;
            }
            finally
            {
                Interlocked.Decrement(ref _pendingReads);
            }
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
