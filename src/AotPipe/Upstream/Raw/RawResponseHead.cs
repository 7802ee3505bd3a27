using System.Buffers.Text;
using System.Text;

namespace AotPipe.Upstream.Raw;

/// <summary>A parsed HTTP/1.1 response head: status, header fields and how the body is delimited.</summary>
internal sealed class RawResponseHead
{
    /// <summary>Bytes allowed in a header field name (RFC 9110 5.6.2 token).</summary>
    private static readonly ReadOnlyMemory<byte> s_tokenBytes = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8.ToArray();

    private RawResponseHead(int statusCode, bool http10)
    {
        StatusCode = statusCode;
        Http10 = http10;
    }

    /// <summary>The status code.</summary>
    public int StatusCode { get; }

    /// <summary>Whether the server answered with HTTP/1.0.</summary>
    public bool Http10 { get; }

    /// <summary>Header fields in arrival order.</summary>
    public List<KeyValuePair<string, string>> Headers { get; } = [];

    /// <summary>How the body ends.</summary>
    public BodyFraming Framing { get; private set; } = BodyFraming.Close;

    /// <summary>The body length when <see cref="Framing"/> is <see cref="BodyFraming.Length"/>.</summary>
    public long ContentLength { get; private set; }

    /// <summary>Whether the connection may carry another request after this body.</summary>
    public bool KeepAlive { get; private set; }

    /// <summary>Parses a complete head at the start of <paramref name="buffer"/>.</summary>
    /// <returns><see cref="RawHeadStatus.Complete"/> with <paramref name="head"/> and <paramref name="length"/> (bytes of
    /// the head including its empty line), <see cref="RawHeadStatus.Incomplete"/> when the empty line has not arrived
    /// (within <see cref="RawHttpLimits.MaxResponseHeaderBytes"/>), else the failure.</returns>
    public static RawHeadStatus TryParse(ReadOnlySpan<byte> buffer, out RawResponseHead? head, out int length)
    {
        head = null;
        length = 0;
        var end = FindHeadEnd(buffer);
        if (end < 0)
        {
            return buffer.Length > RawHttpLimits.MaxResponseHeaderBytes ? RawHeadStatus.TooLarge : RawHeadStatus.Incomplete;
        }

        if (end > RawHttpLimits.MaxResponseHeaderBytes)
        {
            return RawHeadStatus.TooLarge;
        }

        length = end;
        var rest = buffer[..end];
        var statusLine = NextLine(ref rest);
        if (!ParseStatusLine(statusLine, out var status, out var http10))
        {
            return RawHeadStatus.Malformed;
        }

        var parsed = new RawResponseHead(status, http10) { KeepAlive = !http10 };
        var chunked = false;
        var hasLength = false;
        while (!rest.IsEmpty)
        {
            var line = NextLine(ref rest);
            if (line.IsEmpty)
            {
                break;
            }

            var colon = line.IndexOf((byte)':');
            if (colon <= 0 || line[colon - 1] is (byte)' ' or (byte)'\t')
            {
                return RawHeadStatus.Malformed;
            }

            var nameBytes = line[..colon];
            var valueBytes = line[(colon + 1)..].Trim(" \t"u8);
            if (nameBytes.ContainsAnyExcept(s_tokenBytes.Span))
            {
                return RawHeadStatus.Malformed;
            }

            if (Ascii.EqualsIgnoreCase(nameBytes, "Transfer-Encoding"u8))
            {
                // The last coding decides (RFC 9112 6.3): only "chunked" alone is a body we read this way.
                if (!Ascii.EqualsIgnoreCase(valueBytes, "chunked"u8))
                {
                    return RawHeadStatus.Unsupported;
                }

                chunked = true;
            }
            else if (Ascii.EqualsIgnoreCase(nameBytes, "Content-Length"u8))
            {
                if (!Utf8Parser.TryParse(valueBytes, out long contentLength, out var used) || used != valueBytes.Length || contentLength < 0
                    || (hasLength && contentLength != parsed.ContentLength))
                {
                    return RawHeadStatus.Malformed;
                }

                hasLength = true;
                parsed.ContentLength = contentLength;
            }
            else if (Ascii.EqualsIgnoreCase(nameBytes, "Connection"u8))
            {
                if (ContainsToken(valueBytes, "close"u8))
                {
                    parsed.KeepAlive = false;
                }
                else if (http10 && ContainsToken(valueBytes, "keep-alive"u8))
                {
                    parsed.KeepAlive = true;
                }
            }

            parsed.Headers.Add(new(Encoding.ASCII.GetString(nameBytes), Encoding.Latin1.GetString(valueBytes)));
        }

        if (chunked && hasLength)
        {
            // RFC 9112 6.3: chunked wins, and the connection is not reused after such a message.
            parsed.KeepAlive = false;
        }

        parsed.Framing = chunked ? BodyFraming.Chunked : hasLength ? BodyFraming.Length : BodyFraming.Close;
        if (parsed.Framing == BodyFraming.Close || status is 204 or 304)
        {
            parsed.KeepAlive &= status is 204 or 304;
        }

        if (status is 204 or 304)
        {
            parsed.Framing = BodyFraming.Length;
            parsed.ContentLength = 0;
        }

        head = parsed;
        return RawHeadStatus.Complete;
    }

    /// <summary>Index just past the empty line that ends the head (CRLF CRLF, or bare LF line ends), or -1.</summary>
    private static int FindHeadEnd(ReadOnlySpan<byte> buffer)
    {
        var scanned = 0;
        while (true)
        {
            var lf = buffer[scanned..].IndexOf((byte)'\n');
            if (lf < 0)
            {
                return -1;
            }

            var next = scanned + lf + 1;
            var lineLength = lf - (lf > 0 && buffer[scanned + lf - 1] == (byte)'\r' ? 1 : 0);
            if (lineLength == 0 && scanned > 0)
            {
                return next;
            }

            scanned = next;
        }
    }

    private static ReadOnlySpan<byte> NextLine(ref ReadOnlySpan<byte> rest)
    {
        var lf = rest.IndexOf((byte)'\n');
        var line = lf < 0 ? rest : rest[..lf];
        rest = lf < 0 ? default : rest[(lf + 1)..];
        return line.EndsWith((byte)'\r') ? line[..^1] : line;
    }

    private static bool ParseStatusLine(ReadOnlySpan<byte> line, out int status, out bool http10)
    {
        status = 0;
        http10 = false;
        if (line.Length < 12 || !line.StartsWith("HTTP/1."u8) || line[8] != (byte)' ' || line[7] is not ((byte)'0' or (byte)'1'))
        {
            return false;
        }

        http10 = line[7] == (byte)'0';
        var code = line.Slice(9, 3);
        if (!Utf8Parser.TryParse(code, out status, out var used) || used != 3 || status < 100 || (line.Length > 12 && line[12] != (byte)' '))
        {
            return false;
        }

        return true;
    }

    private static bool ContainsToken(ReadOnlySpan<byte> value, ReadOnlySpan<byte> token)
    {
        foreach (var range in value.Split((byte)','))
        {
            if (Ascii.EqualsIgnoreCase(value[range].Trim(" \t"u8), token))
            {
                return true;
            }
        }

        return false;
    }
}
