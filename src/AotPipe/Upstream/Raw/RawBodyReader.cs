using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace AotPipe.Upstream.Raw;

/// <summary>A <see cref="PipeReader"/> over an HTTP/1.1 response body read straight from the connection stream: chunked
/// framing is decoded in place in one pooled array, so the relay's reads allocate nothing per event.</summary>
/// <remarks>
/// The array is rented only once data has arrived (a zero-byte read waits first) and returned whenever everything
/// handed out has been consumed, so a waiting stream holds no buffer (perf-reports/relay.md). Framing errors and a
/// connection that ends early throw <see cref="HttpIOException"/>, as HttpClient's body streams do, so the relay maps
/// them to the same error.
/// </remarks>
internal sealed class RawBodyReader : PipeReader
{
    /// <summary>Size of the rented read buffer: 4 KB, as the HttpClient path reads (perf-reports/relay.md).</summary>
    public const int ReadBufferBytes = 4 * 1024;

    /// <summary>Largest unconsumed body held at once: room for the framer's largest event plus one read, so the framer,
    /// not this reader, reports an oversized event.</summary>
    public const int MaxBufferedBytes = Streaming.SseFramer.DefaultMaxEventBytes + ReadBufferBytes;

    /// <summary>Most body bytes read after the terminal event to reach the end of the body. What follows a terminal event
    /// is a <c>[DONE]</c> line and the chunked terminator, a few dozen bytes; an upstream that sends more loses the
    /// connection instead of holding it.</summary>
    public const int MaxDrainBytes = 16 * 1024;

    /// <summary>Longest wait for the end of the body after the terminal event.</summary>
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(1);

    private readonly Stream _stream;
    private readonly BodyFraming _framing;
    private readonly IRawBodyOwner? _owner;
    private readonly bool _keepAlive;
    private ChunkedBodyDecoder _decoder;
    private long _lengthRemaining;
    private byte[]? _buffer;
    private int _start;
    private int _end;
    private bool _examinedAll;
    private bool _bodyDone;
    private bool _extraBytes;
    private bool _completed;
    private bool _readFaulted;
    private volatile bool _cancelPending;

    /// <summary>Creates the reader; <paramref name="initial"/> holds body bytes that arrived with the response head.</summary>
    public RawBodyReader(Stream stream, BodyFraming framing, long contentLength, ReadOnlySpan<byte> initial, bool keepAlive, IRawBodyOwner? owner)
    {
        _stream = stream;
        _framing = framing;
        _lengthRemaining = contentLength;
        _keepAlive = keepAlive;
        _owner = owner;
        if (framing == BodyFraming.Length && contentLength == 0)
        {
            _bodyDone = true;
        }

        if (!initial.IsEmpty)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(ReadBufferBytes, initial.Length));
            initial.CopyTo(_buffer);
            Decode(initial.Length);
        }
    }

    /// <summary>Whether the whole body has been received.</summary>
    public bool IsBodyComplete => _bodyDone;

    /// <inheritdoc />
    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        return ReadCoreAsync(cancellationToken);
    }

    /// <summary>
    /// Completes the reader after the response's terminal event, when the body's end may not have been read yet: the
    /// rest is read in the background (at most <see cref="MaxDrainBytes"/>, for at most <see cref="DrainTimeout"/>) so
    /// that the connection goes back to the pool instead of being closed. Without it every chat request, whose relay stops
    /// at the terminal event, opened a new upstream connection: over HTTPS, a new TLS handshake per request.
    /// </summary>
    /// <remarks>Only for a response that is over: a client that leaves mid-stream must close the upstream at once
    /// (<see cref="Complete"/>), so that generation stops.</remarks>
    public void CompleteAfterTerminal()
    {
        if (_completed)
        {
            return;
        }

        if (_bodyDone || !_keepAlive || _readFaulted || _framing == BodyFraming.Close || _owner is null)
        {
            Complete();
            return;
        }

        _completed = true;
        _ = DrainAsync();
    }

    private async Task DrainAsync()
    {
        var reusable = false;
        try
        {
            using var timeout = new CancellationTokenSource(DrainTimeout);
            long drained = 0;
            while (true)
            {
                var result = await ReadCoreAsync(timeout.Token);
                drained += result.Buffer.Length;
                AdvanceTo(result.Buffer.End);
                if (drained > MaxDrainBytes)
                {
                    break;
                }

                if (result.IsCompleted)
                {
                    reusable = _bodyDone && !_extraBytes;
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or HttpIOException or ObjectDisposedException)
        {
            // Too slow, too long or broken: the connection is closed, as it was before the drain.
        }
        finally
        {
            ReturnBuffer();
            _owner!.Release(reusable);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadResult> ReadCoreAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                if (TryTakeBuffered(out var buffered))
                {
                    return buffered;
                }

                if (_start == _end && _buffer is not null)
                {
                    ArrayPool<byte>.Shared.Return(_buffer);
                    _buffer = null;
                    _start = _end = 0;
                }

                if (_buffer is null)
                {
                    // Zero-byte read: wait for data without holding a buffer (returns 0 by design, so nothing to check).
#pragma warning disable CA2022
                    await _stream.ReadAsync(Memory<byte>.Empty, cancellationToken);
#pragma warning restore CA2022
                    _buffer = ArrayPool<byte>.Shared.Rent(ReadBufferBytes);
                }
                else
                {
                    MakeRoom();
                }

                var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
                if (read == 0)
                {
                    if (_framing != BodyFraming.Close)
                    {
                        throw new HttpIOException(HttpRequestError.ResponseEnded, "The upstream response ended before its body was complete.");
                    }

                    _bodyDone = true;
                }
                else
                {
                    Decode(read);
                }

                _examinedAll = false;
            }
        }
        catch
        {
            // A failed or cancelled read leaves the connection mid-response: it can never be drained or reused.
            _readFaulted = true;
            throw;
        }
    }

    /// <inheritdoc />
    public override bool TryRead(out ReadResult result)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        return TryTakeBuffered(out result);
    }

    /// <inheritdoc />
    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    /// <inheritdoc />
    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        if (_buffer is null)
        {
            return;
        }

        var start = consumed.GetInteger();
        var examinedEnd = examined.GetInteger();
        if ((uint)start > (uint)_end || start < _start || examinedEnd < start || examinedEnd > _end)
        {
            throw new InvalidOperationException("The position is outside the buffer last returned.");
        }

        _start = start;
        _examinedAll = examinedEnd == _end;
    }

    /// <inheritdoc />
    public override void CancelPendingRead() => _cancelPending = true;

    /// <inheritdoc />
    public override void Complete(Exception? exception = null)
    {
        if (_completed)
        {
            return;
        }

        _completed = true;
        ReturnBuffer();
        _owner?.Release(_keepAlive && _bodyDone && !_extraBytes && exception is null);
    }

    private void ReturnBuffer()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
    }

    private bool TryTakeBuffered(out ReadResult result)
    {
        if (_cancelPending)
        {
            _cancelPending = false;
            result = new ReadResult(Slice(), isCanceled: true, isCompleted: false);
            return true;
        }

        if ((_end > _start && !_examinedAll) || _bodyDone)
        {
            result = new ReadResult(Slice(), isCanceled: false, isCompleted: _bodyDone);
            return true;
        }

        result = default;
        return false;
    }

    private ReadOnlySequence<byte> Slice() => _buffer is null ? default : new ReadOnlySequence<byte>(_buffer, _start, _end - _start);

    private void MakeRoom()
    {
        var buffer = _buffer!;
        if (_end < buffer.Length)
        {
            return;
        }

        var held = _end - _start;
        if (_start > 0 && held <= buffer.Length / 2)
        {
            buffer.AsSpan(_start, held).CopyTo(buffer);
        }
        else
        {
            if (buffer.Length >= MaxBufferedBytes)
            {
                throw new HttpIOException(HttpRequestError.InvalidResponse, "The upstream sent more than the largest event without an event boundary.");
            }

            var larger = ArrayPool<byte>.Shared.Rent(Math.Min(MaxBufferedBytes, buffer.Length * 2));
            buffer.AsSpan(_start, held).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(buffer);
            _buffer = larger;
        }

        _start = 0;
        _end = held;
    }

    /// <summary>Decodes the <paramref name="count"/> bytes just placed at <c>_end</c>.</summary>
    private void Decode(int count)
    {
        var rawEnd = _end + count;
        if (_bodyDone)
        {
            _extraBytes = true;
            return;
        }

        switch (_framing)
        {
            case BodyFraming.Chunked:
                {
                    var read = _end;
                    var status = _decoder.Decode(_buffer, ref read, rawEnd, ref _end);
                    if (status == ChunkedDecodeStatus.Malformed)
                    {
                        throw new HttpIOException(HttpRequestError.InvalidResponse, "The upstream sent malformed chunked framing.");
                    }

                    if (status == ChunkedDecodeStatus.Done)
                    {
                        _bodyDone = true;
                        _extraBytes = read < rawEnd;
                    }

                    break;
                }

            case BodyFraming.Length:
                {
                    var take = (int)Math.Min(_lengthRemaining, count);
                    _end += take;
                    _lengthRemaining -= take;
                    _bodyDone = _lengthRemaining == 0;
                    _extraBytes = take < count;
                    break;
                }

            default:
                _end = rawEnd;
                break;
        }
    }
}
