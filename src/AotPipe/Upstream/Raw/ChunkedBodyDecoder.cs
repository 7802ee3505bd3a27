namespace AotPipe.Upstream.Raw;

/// <summary>Decodes an HTTP/1.1 chunked body in place: the data bytes of each chunk are moved down over the framing in
/// the same buffer, so decoding allocates nothing and copies only when framing sits between two chunks.</summary>
/// <remarks>Chunk extensions and trailer fields are read past and dropped (RFC 9112 7.1.1, 7.1.2). Line ends are CRLF;
/// a bare LF is tolerated as HttpClient does. Anything else, or a line over its limit, is <see cref="ChunkedDecodeStatus.Malformed"/>.</remarks>
internal struct ChunkedBodyDecoder
{
    /// <summary>Longest chunk-size line (size, extensions, excluding the line end). Real servers send a few hex digits;
    /// the bound keeps a hostile upstream from making us scan forever.</summary>
    public const int MaxChunkLineBytes = 4 * 1024;

    /// <summary>Largest trailer section (all trailer lines together, line ends not counted), the same bound as the
    /// response header block.</summary>
    public const int MaxTrailerBytes = RawHttpLimits.MaxResponseHeaderBytes;

    private const long MaxChunkSize = long.MaxValue >> 4;

    private State _state;
    private long _remaining;
    private int _lineBytes;
    private int _trailerBytes;
    private bool _sawDigit;

    private enum State : byte
    {
        Size,
        Extension,
        SizeLf,
        Data,
        DataCr,
        DataLf,
        TrailerLineStart,
        TrailerLine,
        Failed,
        FinalLf,
        Done,
    }

    /// <summary>Whether the body is complete.</summary>
    public readonly bool IsDone => _state == State.Done;

    /// <summary>Decodes <c>buffer[read..readEnd]</c>, writing data bytes at <paramref name="write"/> (which never passes
    /// <paramref name="read"/>). On return both indexes have moved past what was used.</summary>
    public ChunkedDecodeStatus Decode(Span<byte> buffer, ref int read, int readEnd, ref int write)
    {
        while (read < readEnd)
        {
            switch (_state)
            {
                case State.Data:
                    {
                        var n = (int)Math.Min(_remaining, readEnd - read);
                        if (write != read)
                        {
                            buffer.Slice(read, n).CopyTo(buffer[write..]);
                        }

                        read += n;
                        write += n;
                        _remaining -= n;
                        if (_remaining == 0)
                        {
                            _state = State.DataCr;
                        }

                        continue;
                    }

                case State.Size:
                    {
                        var b = buffer[read++];
                        var digit = HexValue(b);
                        if (digit >= 0)
                        {
                            if (_remaining > MaxChunkSize)
                            {
                                return Malformed();
                            }

                            _remaining = (_remaining << 4) | (uint)digit;
                            _sawDigit = true;
                            if (!CountLineByte())
                            {
                                return Malformed();
                            }
                        }
                        else if (!_sawDigit)
                        {
                            return Malformed();
                        }
                        else if (b == (byte)';' || b == (byte)' ' || b == (byte)'\t')
                        {
                            _state = State.Extension;
                            if (!CountLineByte())
                            {
                                return Malformed();
                            }
                        }
                        else if (b == (byte)'\r')
                        {
                            _state = State.SizeLf;
                        }
                        else if (b == (byte)'\n')
                        {
                            EndSizeLine();
                        }
                        else
                        {
                            return Malformed();
                        }

                        continue;
                    }

                case State.Extension:
                    {
                        var b = buffer[read++];
                        if (b == (byte)'\r')
                        {
                            _state = State.SizeLf;
                        }
                        else if (b == (byte)'\n')
                        {
                            EndSizeLine();
                        }
                        else if (!CountLineByte())
                        {
                            return Malformed();
                        }

                        continue;
                    }

                case State.SizeLf:
                    if (buffer[read++] != (byte)'\n')
                    {
                        return Malformed();
                    }

                    EndSizeLine();
                    continue;

                case State.DataCr:
                    {
                        var b = buffer[read++];
                        if (b == (byte)'\r')
                        {
                            _state = State.DataLf;
                        }
                        else if (b == (byte)'\n')
                        {
                            StartSizeLine();
                        }
                        else
                        {
                            return Malformed();
                        }

                        continue;
                    }

                case State.DataLf:
                    if (buffer[read++] != (byte)'\n')
                    {
                        return Malformed();
                    }

                    StartSizeLine();
                    continue;

                case State.TrailerLineStart:
                    {
                        var b = buffer[read++];
                        if (b == (byte)'\r')
                        {
                            _state = State.FinalLf;
                        }
                        else if (b == (byte)'\n')
                        {
                            _state = State.Done;
                            return ChunkedDecodeStatus.Done;
                        }
                        else
                        {
                            _state = State.TrailerLine;
                            if (!CountTrailerByte())
                            {
                                return Malformed();
                            }
                        }

                        continue;
                    }

                case State.TrailerLine:
                    {
                        var b = buffer[read++];
                        if (b == (byte)'\n')
                        {
                            _state = State.TrailerLineStart;
                        }
                        else if (b != (byte)'\r' && !CountTrailerByte())
                        {
                            return Malformed();
                        }

                        continue;
                    }

                case State.FinalLf:
                    if (buffer[read++] != (byte)'\n')
                    {
                        return Malformed();
                    }

                    _state = State.Done;
                    return ChunkedDecodeStatus.Done;

                case State.Done:
                    return ChunkedDecodeStatus.Done;

                default:
                    return Malformed();
            }
        }

        return _state == State.Done ? ChunkedDecodeStatus.Done : ChunkedDecodeStatus.NeedMore;
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    private bool CountLineByte() => ++_lineBytes <= MaxChunkLineBytes;

    private bool CountTrailerByte() => ++_trailerBytes <= MaxTrailerBytes;

    private void StartSizeLine()
    {
        _state = State.Size;
        _remaining = 0;
        _lineBytes = 0;
        _sawDigit = false;
    }

    private void EndSizeLine() => _state = _remaining == 0 ? State.TrailerLineStart : State.Data;

    private ChunkedDecodeStatus Malformed()
    {
        _state = State.Failed;
        return ChunkedDecodeStatus.Malformed;
    }
}
