using System.Buffers;
using System.Runtime.CompilerServices;

namespace AotPipe.Streaming;

/// <summary>Finds complete Server-Sent Events in a byte stream without copying them.</summary>
/// <remarks>
/// <para>Framing follows the HTML living standard's event-stream grammar: lines end in CRLF, LF or a lone CR, and a
/// blank line ends an event. A CR that is the last byte read so far is taken as a line end at once and a following LF
/// is skipped when it arrives, so a CR/LF pair split across reads neither delays nor doubles a line.</para>
/// <para>Scanning resumes where the previous call stopped, so an event that trickles in one byte at a time still costs
/// linear time. The caller consumes exactly <see cref="SseEvent.Raw"/> after each event and passes the rest back.</para>
/// <para>The pattern is dotnet/runtime's <c>SseParser</c>, reduced to what a relay needs: raw bytes for forwarding,
/// and the <c>data</c> field for routing on the JSON <c>type</c>.</para>
/// </remarks>
public sealed class SseFramer : IDisposable
{
    /// <summary>
    /// Default cap on one event's size. OpenRouter's <c>response.completed</c> echoes the whole output, so events of
    /// hundreds of KB occur; 16 MiB bounds memory per stream while leaving room for long answers.
    /// </summary>
    public const int DefaultMaxEventBytes = 16 * 1024 * 1024;

    private const byte Cr = (byte)'\r';
    private const byte Lf = (byte)'\n';

    private readonly int _maxEventBytes;

    // Offsets are relative to the start of the pending event, which is always the start of the caller's buffer.
    private long _scanned;
    private long _lineStart;
    private bool _skipLf;

    // Holds a multi-segment event or a multi-line data field; rented once and reused for the stream's lifetime.
    private byte[]? _scratch;

    /// <summary>Creates a framer with the given per-event cap.</summary>
    public SseFramer(int maxEventBytes = DefaultMaxEventBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEventBytes, 16);
        _maxEventBytes = maxEventBytes;
    }

    /// <summary>The per-event cap in bytes.</summary>
    public int MaxEventBytes => _maxEventBytes;

    /// <summary>Looks for one complete event at the start of <paramref name="buffer"/>.</summary>
    /// <param name="buffer">Unconsumed bytes, starting at an event boundary.</param>
    /// <param name="sseEvent">The event when the status is <see cref="SseReadStatus.Event"/>.</param>
    public SseReadStatus TryRead(in ReadOnlySequence<byte> buffer, out SseEvent sseEvent)
    {
        sseEvent = default;
        if (buffer.Length <= _scanned)
        {
            return SseReadStatus.NeedMoreData;
        }

        var position = _scanned;
        foreach (var memory in buffer.Slice(_scanned))
        {
            var span = memory.Span;
            var i = 0;
            while (i < span.Length)
            {
                if (_skipLf)
                {
                    _skipLf = false;
                    if (span[i] == Lf)
                    {
                        i++;
                        position++;
                        _lineStart = position;
                        continue;
                    }
                }

                var index = span.Slice(i).IndexOfAny(Cr, Lf);
                if (index < 0)
                {
                    position += span.Length - i;
                    break;
                }

                var terminatorAt = position + index;
                var isBlankLine = terminatorAt == _lineStart;
                var terminator = span[i + index];
                i += index + 1;
                position = terminatorAt + 1;
                if (terminator == Cr)
                {
                    if (i < span.Length)
                    {
                        if (span[i] == Lf)
                        {
                            i++;
                            position++;
                        }
                    }
                    else
                    {
                        // The LF, if any, is in a later segment or a later read.
                        _skipLf = true;
                    }
                }

                _lineStart = position;
                if (isBlankLine)
                {
                    var raw = buffer.Slice(0, position);
                    _scanned = 0;
                    _lineStart = 0;
                    sseEvent = Parse(raw);
                    return SseReadStatus.Event;
                }
            }
        }

        _scanned = position;
        return position > _maxEventBytes ? SseReadStatus.EventTooLarge : SseReadStatus.NeedMoreData;
    }

    /// <summary>Forgets any partial state, for reuse on a new stream.</summary>
    public void Reset()
    {
        _scanned = 0;
        _lineStart = 0;
        _skipLf = false;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_scratch is { } scratch)
        {
            _scratch = null;
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private SseEvent Parse(in ReadOnlySequence<byte> raw)
    {
        if (raw.IsSingleSegment)
        {
            return ParseContiguous(raw, raw.First, scratchUsed: 0);
        }

        // Rare: the event straddles pipe segments. Copy it once so the data field is contiguous.
        var length = (int)raw.Length;
        var scratch = RentScratch(length * 2);
        raw.CopyTo(scratch);
        return ParseContiguous(raw, scratch.AsMemory(0, length), scratchUsed: length);
    }

    private SseEvent ParseContiguous(in ReadOnlySequence<byte> raw, ReadOnlyMemory<byte> bytes, int scratchUsed)
    {
        var span = bytes.Span;
        ReadOnlyMemory<byte> data = default;
        var dataLines = 0;
        var joinedLength = 0;
        var offset = 0;
        while (offset < span.Length)
        {
            var rest = span.Slice(offset);
            var end = rest.IndexOfAny(Cr, Lf);
            var line = end < 0 ? rest : rest.Slice(0, end);
            var lineOffset = offset;
            offset += end < 0 ? rest.Length : end + (rest[end] == Cr && end + 1 < rest.Length && rest[end + 1] == Lf ? 2 : 1);
            if (line.IsEmpty || line[0] == (byte)':' || !line.StartsWith("data"u8))
            {
                continue;
            }

            int valueStart;
            if (line.Length == 4)
            {
                valueStart = 4;
            }
            else if (line[4] == (byte)':')
            {
                valueStart = line.Length > 5 && line[5] == (byte)' ' ? 6 : 5;
            }
            else
            {
                // A field named e.g. "database" is not "data".
                continue;
            }

            var value = bytes.Slice(lineOffset + valueStart, line.Length - valueStart);
            if (dataLines == 0)
            {
                data = value;
            }
            else
            {
                // Multi-line data: join with LF into the scratch buffer, after any copy of the raw event.
                if (dataLines == 1)
                {
                    var first = data;
                    var target = RentScratch(scratchUsed + span.Length);
                    first.Span.CopyTo(target.AsSpan(scratchUsed));
                    joinedLength = first.Length;
                }

                var scratch = _scratch!;
                scratch[scratchUsed + joinedLength++] = Lf;
                value.Span.CopyTo(scratch.AsSpan(scratchUsed + joinedLength));
                joinedLength += value.Length;
                data = scratch.AsMemory(scratchUsed, joinedLength);
            }

            dataLines++;
        }

        return new SseEvent(raw, data, dataLines > 0);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private byte[] RentScratch(int minimumLength)
    {
        var scratch = _scratch;
        if (scratch is not null && scratch.Length >= minimumLength)
        {
            return scratch;
        }

        var bigger = ArrayPool<byte>.Shared.Rent(minimumLength);
        if (scratch is not null)
        {
            // Keep what an earlier step of this parse copied (the raw event precedes the joined data).
            scratch.AsSpan().CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(scratch);
        }

        _scratch = bigger;
        return bigger;
    }
}
