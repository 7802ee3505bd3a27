using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;

namespace AotPipe.Redaction;

/// <summary>
/// Streaming, span-based redactor for base64 <c>data:</c> URLs in UTF-8 text (SECURITY.md section 6).
/// </summary>
/// <remarks>
/// <para>
/// A candidate starts with <c>data:</c> (any case) that is not preceded by an ASCII letter or digit, continues with a media
/// type and parameters (<c>[A-Za-z0-9!#$&amp;^_.+-/=%]</c>, <c>;</c> and the JSON escape <c>\/</c>) and ends its header with
/// <c>;base64,</c> (any case). The payload is a run of units: one base64 character (standard or URL-safe alphabet), one of the
/// JSON escapes <c>\/ \u002B \u002b \u002F \u002f \u003D \u003d</c>, a JSON-escaped line break (<c>\r\n</c>, <c>\n</c>,
/// <c>\r</c>) that is followed by a non-break unit, or a raw LF/CRLF when the whole next line is made of base64 characters.
/// A payload of <see cref="RedactThreshold"/> input characters or more is replaced by the longest prefix of whole units that
/// fits in <see cref="PrefixLength"/> characters and <c>…[REDACTED](N chars)…</c>; everything else is copied byte for byte.
/// </para>
/// <para>
/// Chunking never changes the output. The state kept between calls is bounded: header and prefix bytes are written as soon as
/// they are read, so only the payload characters between the prefix and the threshold (at most
/// <see cref="RedactThreshold"/> - 1 bytes, needed to copy a short payload unchanged), one partial escape with a pending
/// escaped line break, and one look-ahead line of at most <see cref="MaxWrappedLineLength"/> characters are held.
/// </para>
/// <para>
/// Two choices the contract leaves open: an escaped line break must be followed by a non-break unit (<c>\r</c> directly
/// followed by <c>\n</c> forms the single unit <c>\r\n</c>), so a blank escaped line ends the payload; and a raw-wrapped line
/// counts as base64 only when it is non-empty, at most <see cref="MaxWrappedLineLength"/> characters long and ends in LF,
/// CRLF or the end of the input. A longer line is not a wrapped continuation: the payload ends before its line break and the
/// line is copied as text.
/// </para>
/// </remarks>
internal sealed class Base64Redactor
{
    /// <summary>Smallest payload length, in input characters, that is redacted (SECURITY.md section 6 rule 3).</summary>
    public const int RedactThreshold = 256;

    /// <summary>Most input characters of the payload kept in front of the marker (SECURITY.md section 6 rule 4).</summary>
    public const int PrefixLength = 64;

    /// <summary>
    /// Longest raw line, in characters, that is looked ahead at to decide whether a raw LF/CRLF continues a wrapped payload.
    /// MIME wraps at 76 and PEM at 64; 1024 leaves room for other wrappers while keeping the state small.
    /// </summary>
    public const int MaxWrappedLineLength = 1024;

    /// <summary>
    /// Pending bytes of a raw break: CR, LF, the look-ahead line and the CR of its own terminator. This also covers the
    /// longest pending escape: an escaped <c>\r\n</c> break (4 bytes) followed by a partial <c>\u00XX</c> escape (6 bytes).
    /// </summary>
    private const int PendingCapacity = 2 + MaxWrappedLineLength + 1;

    /// <summary>Payload bytes held after the prefix while the payload is still shorter than the threshold.</summary>
    private const int HoldCapacity = RedactThreshold - 1;

    /// <summary>
    /// Bytes the fast path copies per <see cref="IBufferWriter{T}.GetSpan"/> call; larger inputs take several blocks. Debug
    /// builds use a tiny block so every test crosses block boundaries.
    /// </summary>
#if DEBUG
    private const int FastPathBlockSize = 100;
#else
    private const int FastPathBlockSize = 64 * 1024;
#endif

    /// <summary>Upper bound of <see cref="BufferedByteCount"/>: the whole state between two calls.</summary>
    public const int MaxBufferedBytes = HoldCapacity + PendingCapacity;

    private static readonly SearchValues<byte> s_base64Chars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_"u8);

    private static readonly SearchValues<byte> s_mediaTypeChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&^_.+-/=%;"u8);

    private static ReadOnlySpan<byte> DataPrefix => "data:"u8;

    private static ReadOnlySpan<byte> Base64Suffix => ";base64"u8;

    private static ReadOnlySpan<byte> MarkerStart => "…[REDACTED]("u8;

    private static ReadOnlySpan<byte> MarkerEnd => " chars)…"u8;

    [ThreadStatic]
    private static Base64Redactor? t_cached;

    private readonly byte[] _hold = new byte[HoldCapacity];
    private readonly byte[] _pending = new byte[PendingCapacity];

    private State _state;

    // Text: how many bytes of "data:" are matched at the end of what was already written.
    private int _dataMatched;

    // Header: how many bytes of ";base64" end the media type so far.
    private int _suffixMatched;

    // The last byte consumed, for the "not preceded by an ASCII letter or digit" rule across calls.
    private byte _previous;

    // Payload bookkeeping.
    private long _payloadLength;
    private bool _isPrefixClosed;
    private int _holdLength;
    private int _pendingLength;
    private int _pendingBreakLength;
    private int _lineLength;
    private byte _lastPayloadByte;

    private enum State : byte
    {
        Text,
        Header,
        HeaderEscape,
        PayloadUnit,
        PayloadEscape,
        PayloadRawCr,
        PayloadLine,
        PayloadLineCr,
    }

    /// <summary>Bytes currently held between calls; never more than <see cref="MaxBufferedBytes"/>.</summary>
    public int BufferedByteCount => _holdLength + _pendingLength;

    /// <summary>Bytes the instance allocated for its state; constant for the life of the instance.</summary>
    public int StateCapacity => _hold.Length + _pending.Length;

    /// <summary>
    /// Redacts <paramref name="input"/> into <paramref name="output"/>. Bytes that may belong to a payload are held until the
    /// next call; pass <paramref name="isFinalBlock"/> = <see langword="true"/> with the last chunk to flush them and reset.
    /// </summary>
    /// <param name="input">The next chunk of UTF-8 text.</param>
    /// <param name="output">Receives the redacted bytes.</param>
    /// <param name="isFinalBlock"><see langword="true"/> when no more input follows.</param>
    public void Redact(ReadOnlySpan<byte> input, IBufferWriter<byte> output, bool isFinalBlock)
    {
        if (_state == State.Text && _dataMatched == 0)
        {
            // Fast path: copy while scanning, in one pass over the input, up to the first "data:".
            int copied = CopyUntilCandidate(input, output);
            if (copied == input.Length)
            {
                if (copied > 0)
                {
                    _dataMatched = PartialCandidateLength(input, _previous);
                    _previous = input[^1];
                }

                if (isFinalBlock)
                {
                    Reset();
                }

                return;
            }

            if (copied > 0)
            {
                _previous = input[copied - 1];
                input = input[copied..];
            }
        }

        RedactSlow(input, output, isFinalBlock);
    }

    /// <summary>Forgets every held byte and returns to the initial state.</summary>
    public void Reset()
    {
        _state = State.Text;
        _dataMatched = 0;
        _suffixMatched = 0;
        _previous = 0;
        ResetPayload();
    }

    /// <summary>Whether <paramref name="utf8"/> contains <c>data:</c> in any case, the only way a redaction can start.</summary>
    public static bool ContainsCandidate(ReadOnlySpan<byte> utf8) => IndexOfDataColon(utf8) >= 0;

    /// <summary>Redacts a complete UTF-8 text and returns it as a string, for log messages.</summary>
    public static string RedactToString(ReadOnlySpan<byte> utf8)
    {
        if (!ContainsCandidate(utf8))
        {
            return Encoding.UTF8.GetString(utf8);
        }

        var redactor = t_cached ?? new Base64Redactor();
        t_cached = null;
        var output = new ArrayBufferWriter<byte>(utf8.Length);
        try
        {
            redactor.Redact(utf8, output, isFinalBlock: true);
        }
        finally
        {
            redactor.Reset();
            t_cached = redactor;
        }

        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void RedactSlow(ReadOnlySpan<byte> input, IBufferWriter<byte> output, bool isFinalBlock)
    {
        Process(input, output);
        if (isFinalBlock)
        {
            Flush(output);
        }
    }

    /// <summary>Runs the state machine over <paramref name="input"/>; every handler consumes a byte or changes state.</summary>
    private void Process(ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        int position = 0;
        while (position < input.Length)
        {
            position = _state switch
            {
                State.Text => _dataMatched == 0 ? ScanText(input, position, output) : ContinueDataMatch(input, position, output),
                State.Header or State.HeaderEscape => ScanHeader(input, position, output),
                State.PayloadUnit => ScanPayloadUnit(input, position, output),
                State.PayloadEscape => ScanPayloadEscape(input, position, output),
                State.PayloadRawCr => ScanPayloadRawCr(input, position, output),
                _ => ScanPayloadLine(input, position, output),
            };
        }
    }

    private void Flush(IBufferWriter<byte> output)
    {
        switch (_state)
        {
            case State.PayloadLine when _lineLength > 0:
                // The look-ahead line ends with the input, so it is a whole line of base64 characters.
                CommitPendingLine(output);
                EndPayload(output);
                break;
            case State.PayloadUnit or State.PayloadEscape or State.PayloadRawCr or State.PayloadLine or State.PayloadLineCr:
                EndPayload(output);
                break;
            default:
                break;
        }

        // Header and partial "data:" bytes were written when read, so nothing else is owed.
        Reset();
    }

    private int ScanText(ReadOnlySpan<byte> input, int position, IBufferWriter<byte> output)
    {
        var rest = input[position..];
        int searched = 0;
        while (true)
        {
            int found = IndexOfDataColon(rest[searched..]);
            if (found < 0)
            {
                break;
            }

            int at = searched + found;
            byte before = position + at > 0 ? input[position + at - 1] : _previous;
            if (!IsAsciiLetterOrDigit(before))
            {
                output.Write(rest[..(at + DataPrefix.Length)]);
                _previous = (byte)':';
                _state = State.Header;
                _suffixMatched = 0;
                return position + at + DataPrefix.Length;
            }

            searched = at + 1;
        }

        output.Write(rest);
        _dataMatched = PartialCandidateLength(rest, position > 0 ? input[position - 1] : _previous);
        _previous = rest[^1];
        return input.Length;
    }

    private int ContinueDataMatch(ReadOnlySpan<byte> input, int position, IBufferWriter<byte> output)
    {
        byte c = input[position];
        if (!MatchesDataPrefixAt(c, _dataMatched))
        {
            // The byte before c is a letter of "data", so c cannot start a new candidate; ScanText rechecks it anyway.
            _dataMatched = 0;
            return position;
        }

        output.Write(input.Slice(position, 1));
        _previous = c;
        if (++_dataMatched == DataPrefix.Length)
        {
            _dataMatched = 0;
            _state = State.Header;
            _suffixMatched = 0;
        }

        return position + 1;
    }

    private int ScanHeader(ReadOnlySpan<byte> input, int position, IBufferWriter<byte> output)
    {
        int start = position;
        while (position < input.Length)
        {
            byte c = input[position];
            if (_state == State.HeaderEscape)
            {
                if (c != (byte)'/')
                {
                    _state = State.Text;
                    break;
                }

                _state = State.Header;
                _suffixMatched = 0;
            }
            else if (s_mediaTypeChars.Contains(c))
            {
                _suffixMatched = NextSuffixMatch(_suffixMatched, c);
            }
            else if (c == (byte)'\\')
            {
                _state = State.HeaderEscape;
            }
            else if (c == (byte)',' && _suffixMatched == Base64Suffix.Length)
            {
                position++;
                BeginPayload();
                break;
            }
            else
            {
                _state = State.Text;
                break;
            }

            position++;
        }

        if (position > start)
        {
            output.Write(input[start..position]);
            _previous = input[position - 1];
        }

        return position;
    }

    private int ScanPayloadUnit(ReadOnlySpan<byte> input, int position, IBufferWriter<byte> output)
    {
        byte c = input[position];
        if (s_base64Chars.Contains(c))
        {
            var rest = input[position..];
            int runLength = rest.IndexOfAnyExcept(s_base64Chars);
            if (runLength < 0)
            {
                runLength = rest.Length;
            }

            CommitPendingEscapedBreak(output);
            CommitRun(rest[..runLength], output);
            return position + runLength;
        }

        if (c == (byte)'\\')
        {
            AppendPending(c);
            _state = State.PayloadEscape;
            return position + 1;
        }

        if (_pendingLength == 0 && (c == (byte)'\n' || c == (byte)'\r'))
        {
            AppendPending(c);
            _lineLength = 0;
            _state = c == (byte)'\n' ? State.PayloadLine : State.PayloadRawCr;
            return position + 1;
        }

        EndPayload(output);
        return position;
    }

    private int ScanPayloadEscape(ReadOnlySpan<byte> input, int position, IBufferWriter<byte> output)
    {
        byte c = input[position];
        int escapeLength = _pendingLength - _pendingBreakLength;
        var verdict = ClassifyEscapeByte(_pending.AsSpan(_pendingBreakLength, escapeLength), c);
        if (verdict == EscapeVerdict.Invalid)
        {
            EndPayload(output);
            return position;
        }

        if (verdict == EscapeVerdict.Partial)
        {
            AppendPending(c);
            return position + 1;
        }

        if (verdict == EscapeVerdict.Unit)
        {
            AppendPending(c);
            CommitPendingEscapedBreak(output);
            CommitUnit(_pending.AsSpan(0, _pendingLength), output);
            _pendingLength = 0;
            _state = State.PayloadUnit;
            return position + 1;
        }

        // An escaped line break: it stays pending until a non-break unit follows.
        if (_pendingBreakLength == 0 || (verdict == EscapeVerdict.LineFeed && _pendingBreakLength == 2 && _pending[1] == (byte)'r'))
        {
            AppendPending(c);
            _pendingBreakLength = _pendingLength;
            _state = State.PayloadUnit;
            return position + 1;
        }

        EndPayload(output);
        return position;
    }

    private int ScanPayloadRawCr(ReadOnlySpan<byte> input, int position, IBufferWriter<byte> output)
    {
        if (input[position] != (byte)'\n')
        {
            EndPayload(output);
            return position;
        }

        AppendPending((byte)'\n');
        _state = State.PayloadLine;
        return position + 1;
    }

    private int ScanPayloadLine(ReadOnlySpan<byte> input, int position, IBufferWriter<byte> output)
    {
        if (_state == State.PayloadLine)
        {
            var rest = input[position..];
            int runLength = rest.IndexOfAnyExcept(s_base64Chars);
            if (runLength < 0)
            {
                runLength = rest.Length;
            }

            if (runLength > MaxWrappedLineLength - _lineLength)
            {
                // Too long to be a wrapped continuation: the break and the line are ordinary text.
                EndPayload(output);
                return position;
            }

            rest[..runLength].CopyTo(_pending.AsSpan(_pendingLength));
            _pendingLength += runLength;
            _lineLength += runLength;
            position += runLength;
            if (position == input.Length)
            {
                return position;
            }
        }

        byte c = input[position];
        if (_lineLength == 0)
        {
            // A blank line (or a line that starts with a non-base64 character) ends the payload before the break.
            EndPayload(output);
            return position;
        }

        if (_state == State.PayloadLine && c == (byte)'\r')
        {
            _state = State.PayloadLineCr;
            return position + 1;
        }

        if (c != (byte)'\n')
        {
            if (_state == State.PayloadLineCr)
            {
                AppendPending((byte)'\r');
            }

            EndPayload(output);
            return position;
        }

        // The line is whole: commit it, and its own terminator becomes the next tentative break.
        bool isCrLf = _state == State.PayloadLineCr;
        CommitPendingLine(output);
        if (isCrLf)
        {
            AppendPending((byte)'\r');
        }

        AppendPending((byte)'\n');
        _lineLength = 0;
        _state = State.PayloadLine;
        return position + 1;
    }

    private void BeginPayload()
    {
        ResetPayload();
        _state = State.PayloadUnit;
    }

    private void ResetPayload()
    {
        _payloadLength = 0;
        _isPrefixClosed = false;
        _holdLength = 0;
        _pendingLength = 0;
        _pendingBreakLength = 0;
        _lineLength = 0;
        _lastPayloadByte = (byte)',';
    }

    private void AppendPending(byte c) => _pending[_pendingLength++] = c;

    private void CommitPendingEscapedBreak(IBufferWriter<byte> output)
    {
        if (_pendingBreakLength == 0)
        {
            return;
        }

        CommitUnit(_pending.AsSpan(0, _pendingBreakLength), output);
        _pending.AsSpan(_pendingBreakLength, _pendingLength - _pendingBreakLength).CopyTo(_pending);
        _pendingLength -= _pendingBreakLength;
        _pendingBreakLength = 0;
    }

    private void CommitPendingLine(IBufferWriter<byte> output)
    {
        int breakLength = _pending[0] == (byte)'\r' ? 2 : 1;
        CommitUnit(_pending.AsSpan(0, breakLength), output);
        CommitRun(_pending.AsSpan(breakLength, _pendingLength - breakLength), output);
        _pendingLength = 0;
        _lineLength = 0;
    }

    /// <summary>Adds one unit (never split) to the payload.</summary>
    private void CommitUnit(ReadOnlySpan<byte> unit, IBufferWriter<byte> output)
    {
        if (!_isPrefixClosed)
        {
            if (_payloadLength + unit.Length <= PrefixLength)
            {
                output.Write(unit);
                _payloadLength += unit.Length;
                _lastPayloadByte = unit[^1];
                return;
            }

            _isPrefixClosed = true;
        }

        Hold(unit);
        _lastPayloadByte = unit[^1];
    }

    /// <summary>Adds a run of one-character units to the payload.</summary>
    private void CommitRun(ReadOnlySpan<byte> run, IBufferWriter<byte> output)
    {
        if (run.IsEmpty)
        {
            return;
        }

        _lastPayloadByte = run[^1];
        if (!_isPrefixClosed)
        {
            int fit = (int)Math.Min(run.Length, PrefixLength - _payloadLength);
            output.Write(run[..fit]);
            _payloadLength += fit;
            run = run[fit..];
            if (run.IsEmpty)
            {
                return;
            }

            _isPrefixClosed = true;
        }

        Hold(run);
    }

    private void Hold(ReadOnlySpan<byte> bytes)
    {
        if (_payloadLength < RedactThreshold)
        {
            if (_payloadLength + bytes.Length >= RedactThreshold)
            {
                // Redaction is now certain, so the bytes after the prefix are never written.
                _holdLength = 0;
            }
            else
            {
                bytes.CopyTo(_hold.AsSpan(_holdLength));
                _holdLength += bytes.Length;
            }
        }

        _payloadLength += bytes.Length;
    }

    /// <summary>Ends the payload before the pending bytes, writes the marker or the held bytes, and rescans the pending bytes as text.</summary>
    [SkipLocalsInit]
    private void EndPayload(IBufferWriter<byte> output)
    {
        if (_payloadLength >= RedactThreshold)
        {
            WriteMarker(output, _payloadLength);
        }
        else if (_holdLength > 0)
        {
            output.Write(_hold.AsSpan(0, _holdLength));
        }

        // Pending bytes never contain a whole "data:" (no ':' is ever pending), so the rescan cannot reach this method again.
        Span<byte> rescan = stackalloc byte[PendingCapacity];
        int rescanLength = _pendingLength;
        _pending.AsSpan(0, rescanLength).CopyTo(rescan);
        _previous = _lastPayloadByte;
        _state = State.Text;
        _dataMatched = 0;
        ResetPayload();
        Process(rescan[..rescanLength], output);
    }

    private static void WriteMarker(IBufferWriter<byte> output, long payloadLength)
    {
        var span = output.GetSpan(MarkerStart.Length + 20 + MarkerEnd.Length);
        MarkerStart.CopyTo(span);
        int written = MarkerStart.Length;
        payloadLength.TryFormat(span[written..], out int digits, default, System.Globalization.CultureInfo.InvariantCulture);
        written += digits;
        MarkerEnd.CopyTo(span[written..]);
        output.Advance(written + MarkerEnd.Length);
    }

    private enum EscapeVerdict : byte
    {
        Invalid,
        Partial,
        Unit,
        LineFeed,
        CarriageReturn,
    }

    /// <summary>Classifies <paramref name="c"/> following the escape bytes <paramref name="escape"/> (which start with a backslash).</summary>
    private static EscapeVerdict ClassifyEscapeByte(ReadOnlySpan<byte> escape, byte c)
    {
        switch (escape.Length)
        {
            case 1:
                return c switch
                {
                    (byte)'/' => EscapeVerdict.Unit,
                    (byte)'u' => EscapeVerdict.Partial,
                    (byte)'n' => EscapeVerdict.LineFeed,
                    (byte)'r' => EscapeVerdict.CarriageReturn,
                    _ => EscapeVerdict.Invalid,
                };
            case 2 or 3:
                return c == (byte)'0' ? EscapeVerdict.Partial : EscapeVerdict.Invalid;
            case 4:
                return c is (byte)'2' or (byte)'3' ? EscapeVerdict.Partial : EscapeVerdict.Invalid;
            default:
                // \u002B, \u002F and \u003D in either hex case: '+', '/' and '='.
                bool isUnit = escape[4] == (byte)'2' ? (c | 0x20) is (byte)'b' or (byte)'f' : (c | 0x20) == (byte)'d';
                return isUnit ? EscapeVerdict.Unit : EscapeVerdict.Invalid;
        }
    }

    private static int NextSuffixMatch(int matched, byte c)
    {
        if (matched < Base64Suffix.Length && (matched == 0 ? c == (byte)';' : (c | 0x20) == Base64Suffix[matched]))
        {
            return matched + 1;
        }

        return c == (byte)';' ? 1 : 0;
    }

    private static bool MatchesDataPrefixAt(byte c, int index) =>
        index == 4 ? c == (byte)':' : (c | 0x20) == DataPrefix[index];

    private static bool IsAsciiLetterOrDigit(byte c) => char.IsAsciiLetterOrDigit((char)c);

    /// <summary>Length of a proper prefix of <c>data:</c> that ends <paramref name="text"/> and may start a candidate.</summary>
    private static int PartialCandidateLength(ReadOnlySpan<byte> text, byte previous)
    {
        for (int length = Math.Min(DataPrefix.Length - 1, text.Length); length > 0; length--)
        {
            int start = text.Length - length;
            if ((text[start] | 0x20) != (byte)'d')
            {
                continue;
            }

            bool matches = true;
            for (int i = 1; i < length && matches; i++)
            {
                matches = MatchesDataPrefixAt(text[start + i], i);
            }

            byte before = start > 0 ? text[start - 1] : previous;
            if (matches && !IsAsciiLetterOrDigit(before))
            {
                return length;
            }
        }

        return 0;
    }

    /// <summary>
    /// First index of <c>data:</c> in any case, or -1. Vectorised on two anchors, 'd' (either case) and the ':' four bytes
    /// later, as the runtime's substring search does: a single-byte search would stop at every ':' or 'd' of ordinary JSON.
    /// </summary>
    private static int IndexOfDataColon(ReadOnlySpan<byte> text)
    {
        int last = text.Length - DataPrefix.Length;
        if (last < 0)
        {
            return -1;
        }

        int i = 0;
        ref byte start = ref MemoryMarshal.GetReference(text);
        if (Vector512.IsHardwareAccelerated && last >= Vector512<byte>.Count)
        {
            var lowerBit = Vector512.Create((byte)0x20);
            var d = Vector512.Create((byte)'d');
            var colon = Vector512.Create((byte)':');
            for (; i <= last - Vector512<byte>.Count + 1; i += Vector512<byte>.Count)
            {
                var hits = Vector512.Equals(Vector512.LoadUnsafe(ref start, (nuint)i) | lowerBit, d)
                    & Vector512.Equals(Vector512.LoadUnsafe(ref start, (nuint)(i + 4)), colon);
                if (hits != Vector512<byte>.Zero)
                {
                    int found = FirstConfirmed(text, i, hits.ExtractMostSignificantBits());
                    if (found >= 0)
                    {
                        return found;
                    }
                }
            }
        }
        else if (Vector256.IsHardwareAccelerated && last >= Vector256<byte>.Count)
        {
            var lowerBit = Vector256.Create((byte)0x20);
            var d = Vector256.Create((byte)'d');
            var colon = Vector256.Create((byte)':');
            for (; i <= last - Vector256<byte>.Count + 1; i += Vector256<byte>.Count)
            {
                var hits = Vector256.Equals(Vector256.LoadUnsafe(ref start, (nuint)i) | lowerBit, d)
                    & Vector256.Equals(Vector256.LoadUnsafe(ref start, (nuint)(i + 4)), colon);
                if (hits != Vector256<byte>.Zero)
                {
                    int found = FirstConfirmed(text, i, hits.ExtractMostSignificantBits());
                    if (found >= 0)
                    {
                        return found;
                    }
                }
            }
        }
        else if (Vector128.IsHardwareAccelerated && last >= Vector128<byte>.Count)
        {
            var lowerBit = Vector128.Create((byte)0x20);
            var d = Vector128.Create((byte)'d');
            var colon = Vector128.Create((byte)':');
            for (; i <= last - Vector128<byte>.Count + 1; i += Vector128<byte>.Count)
            {
                var hits = Vector128.Equals(Vector128.LoadUnsafe(ref start, (nuint)i) | lowerBit, d)
                    & Vector128.Equals(Vector128.LoadUnsafe(ref start, (nuint)(i + 4)), colon);
                if (hits != Vector128<byte>.Zero)
                {
                    int found = FirstConfirmed(text, i, hits.ExtractMostSignificantBits());
                    if (found >= 0)
                    {
                        return found;
                    }
                }
            }
        }

        for (; i <= last; i++)
        {
            if (IsDataColonAt(text, i))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// Copies <paramref name="input"/> to <paramref name="output"/> up to its first whole <c>data:</c> (any case) and returns
    /// how many bytes were copied: <c>input.Length</c> when there is none.
    /// </summary>
    private static int CopyUntilCandidate(ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        int done = 0;
        while (done < input.Length)
        {
            int blockLength = Math.Min(input.Length - done, FastPathBlockSize);
            var destination = output.GetSpan(blockLength);

            // The source reaches four bytes past the block so a candidate that starts in the block is seen whole.
            var source = input.Slice(done, Math.Min(input.Length - done, blockLength + DataPrefix.Length - 1));
            int found = ScanAndCopy(source, destination, blockLength);
            if (found >= 0)
            {
                output.Advance(found);
                return done + found;
            }

            output.Advance(blockLength);
            done += blockLength;
        }

        return done;
    }

    /// <summary>
    /// Copies <c>source[..length]</c> into <paramref name="destination"/> and returns the first index below
    /// <paramref name="length"/> where a whole <c>data:</c> starts, or -1. Reading each vector once for both the copy and the
    /// search keeps the pass-through close to a plain copy.
    /// </summary>
    private static int ScanAndCopy(ReadOnlySpan<byte> source, Span<byte> destination, int length)
    {
        int i = 0;
        ref byte from = ref MemoryMarshal.GetReference(source);
        ref byte to = ref MemoryMarshal.GetReference(destination);
        if (Vector512.IsHardwareAccelerated)
        {
            var lowerBit = Vector512.Create((byte)0x20);
            var d = Vector512.Create((byte)'d');
            var colon = Vector512.Create((byte)':');

            // Two vectors per step: the common case (no hit) costs one branch per 128 bytes.
            for (; i + (2 * Vector512<byte>.Count) <= length && i + 4 + (2 * Vector512<byte>.Count) <= source.Length; i += 2 * Vector512<byte>.Count)
            {
                var a0 = Vector512.LoadUnsafe(ref from, (nuint)i);
                var b0 = Vector512.LoadUnsafe(ref from, (nuint)(i + Vector512<byte>.Count));
                a0.StoreUnsafe(ref to, (nuint)i);
                b0.StoreUnsafe(ref to, (nuint)(i + Vector512<byte>.Count));
                var hitsA = Vector512.Equals(a0 | lowerBit, d) & Vector512.Equals(Vector512.LoadUnsafe(ref from, (nuint)(i + 4)), colon);
                var hitsB = Vector512.Equals(b0 | lowerBit, d) & Vector512.Equals(Vector512.LoadUnsafe(ref from, (nuint)(i + 4 + Vector512<byte>.Count)), colon);
                if ((hitsA | hitsB) != Vector512<byte>.Zero)
                {
                    int found = hitsA != Vector512<byte>.Zero ? FirstConfirmed(source, i, hitsA.ExtractMostSignificantBits()) : -1;
                    if (found < 0 && hitsB != Vector512<byte>.Zero)
                    {
                        found = FirstConfirmed(source, i + Vector512<byte>.Count, hitsB.ExtractMostSignificantBits());
                    }

                    if (found >= 0)
                    {
                        return found;
                    }
                }
            }

            for (; i + Vector512<byte>.Count <= length && i + 4 + Vector512<byte>.Count <= source.Length; i += Vector512<byte>.Count)
            {
                var v0 = Vector512.LoadUnsafe(ref from, (nuint)i);
                v0.StoreUnsafe(ref to, (nuint)i);
                var hits = Vector512.Equals(v0 | lowerBit, d) & Vector512.Equals(Vector512.LoadUnsafe(ref from, (nuint)(i + 4)), colon);
                if (hits != Vector512<byte>.Zero)
                {
                    int found = FirstConfirmed(source, i, hits.ExtractMostSignificantBits());
                    if (found >= 0)
                    {
                        return found;
                    }
                }
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var lowerBit = Vector256.Create((byte)0x20);
            var d = Vector256.Create((byte)'d');
            var colon = Vector256.Create((byte)':');
            for (; i + Vector256<byte>.Count <= length && i + 4 + Vector256<byte>.Count <= source.Length; i += Vector256<byte>.Count)
            {
                var v0 = Vector256.LoadUnsafe(ref from, (nuint)i);
                v0.StoreUnsafe(ref to, (nuint)i);
                var hits = Vector256.Equals(v0 | lowerBit, d) & Vector256.Equals(Vector256.LoadUnsafe(ref from, (nuint)(i + 4)), colon);
                if (hits != Vector256<byte>.Zero)
                {
                    int found = FirstConfirmed(source, i, hits.ExtractMostSignificantBits());
                    if (found >= 0)
                    {
                        return found;
                    }
                }
            }
        }

        int tail = length - i;
        int candidate = IndexOfDataColon(source[i..]);
        if (candidate >= 0 && candidate < tail)
        {
            tail = candidate;
        }

        source.Slice(i, tail).CopyTo(destination[i..]);
        return i + tail < length ? i + tail : -1;
    }

    /// <summary>Checks the anchor hits of one vector (bit n = offset <paramref name="blockStart"/> + n) in order.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int FirstConfirmed(ReadOnlySpan<byte> text, int blockStart, ulong mask)
    {
        do
        {
            int at = blockStart + System.Numerics.BitOperations.TrailingZeroCount(mask);
            if (IsDataColonAt(text, at))
            {
                return at;
            }

            mask &= mask - 1;
        }
        while (mask != 0);

        return -1;
    }

    private static bool IsDataColonAt(ReadOnlySpan<byte> text, int at) =>
        (text[at] | 0x20) == 'd' && (text[at + 1] | 0x20) == 'a' && (text[at + 2] | 0x20) == 't'
        && (text[at + 3] | 0x20) == 'a' && text[at + 4] == ':';
}
