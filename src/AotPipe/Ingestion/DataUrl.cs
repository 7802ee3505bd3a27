using System.Buffers;

namespace AotPipe.Ingestion;

/// <summary>
/// Span-based reading of <c>data:</c> URLs (RFC 2397): the media type, whether the payload is base64, and the decoded
/// size estimated from the text alone. Nothing is decoded or copied.
/// </summary>
internal static class DataUrl
{
    /// <summary>The scheme prefix, compared case-insensitively.</summary>
    public const string Prefix = "data:";

    /// <summary>Longest header (<c>data:</c> up to the comma) accepted; media types with parameters stay far below it.</summary>
    public const int MaxHeaderLength = 256;

    private static readonly SearchValues<char> s_base64Alphabet =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=");

    private static readonly SearchValues<char> s_whitespace = SearchValues.Create(" \t\r\n\f");

    private static readonly SearchValues<byte> s_base64AlphabetUtf8 =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="u8);

    private static readonly SearchValues<byte> s_whitespaceUtf8 = SearchValues.Create(" \t\r\n\f"u8);

    /// <summary>Whether <paramref name="url"/> starts with <c>data:</c>.</summary>
    public static bool IsDataUrl(ReadOnlySpan<char> url) => url.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Splits a <c>data:</c> URL into its media type (lower-case essence, <c>text/plain</c> when omitted), the base64 flag and
    /// the payload offset. Returns false when it is not a well-formed data URL.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> url, out string mediaType, out bool isBase64, out int payloadStart)
    {
        mediaType = "";
        isBase64 = false;
        payloadStart = 0;
        if (!IsDataUrl(url))
        {
            return false;
        }

        ReadOnlySpan<char> afterScheme = url[Prefix.Length..];
        int comma = afterScheme[..Math.Min(afterScheme.Length, MaxHeaderLength)].IndexOf(',');
        if (comma < 0)
        {
            return false;
        }

        ReadOnlySpan<char> header = afterScheme[..comma];
        int semicolon = header.IndexOf(';');
        ReadOnlySpan<char> essence = (semicolon < 0 ? header : header[..semicolon]).Trim();
        foreach (Range segment in header.Split(';'))
        {
            if (header[segment].Trim().Equals("base64", StringComparison.OrdinalIgnoreCase))
            {
                isBase64 = true;
            }
        }

        mediaType = essence.IsEmpty ? "text/plain" : essence.ToString().ToLowerInvariant();
        payloadStart = Prefix.Length + comma + 1;
        return true;
    }

    /// <summary>
    /// Estimates the decoded byte count of base64 text: whitespace is ignored, one or two trailing <c>=</c> are subtracted, and
    /// unpadded input counts its partial quantum. Returns -1 when a character outside the base64 alphabet (or a misplaced
    /// <c>=</c>) appears. One vectorised pass when the text has no whitespace.
    /// </summary>
    public static long EstimateDecodedLength(ReadOnlySpan<char> base64) => Estimate(base64, s_base64Alphabet, s_whitespace, '=');

    /// <summary>The same estimate over UTF-8 text (a JSON string's raw bytes), so a large value is never copied into a string.</summary>
    public static long EstimateDecodedLength(ReadOnlySpan<byte> base64) => Estimate(base64, s_base64AlphabetUtf8, s_whitespaceUtf8, (byte)'=');

    /// <summary>Parses the header of a data URL held as UTF-8 bytes; see <see cref="TryParse(ReadOnlySpan{char}, out string, out bool, out int)"/>.</summary>
    public static bool TryParse(ReadOnlySpan<byte> url, out string mediaType, out bool isBase64, out int payloadStart)
    {
        mediaType = "";
        isBase64 = false;
        payloadStart = 0;
        ReadOnlySpan<byte> head = url[..Math.Min(url.Length, Prefix.Length + MaxHeaderLength + 1)];
        int comma = head.IndexOf((byte)',');
        if (comma < 0 || head[..comma].ContainsAnyExceptInRange((byte)0x20, (byte)0x7E))
        {
            return false;
        }

        // The header is ASCII, so character and byte offsets agree.
        Span<char> chars = stackalloc char[comma + 1];
        for (int i = 0; i <= comma; i++)
        {
            chars[i] = (char)head[i];
        }

        return TryParse(chars, out mediaType, out isBase64, out payloadStart);
    }

    private static long Estimate<T>(ReadOnlySpan<T> text, SearchValues<T> alphabet, SearchValues<T> whitespace, T pad)
        where T : IEquatable<T>
    {
        long significant;
        int firstOther = text.IndexOfAnyExcept(alphabet);
        if (firstOther < 0)
        {
            significant = text.Length;
        }
        else
        {
            significant = CountSignificant(text, firstOther, alphabet, whitespace);
            if (significant < 0)
            {
                return -1;
            }
        }

        int padding = CountPadding(text, whitespace, pad);
        if (padding < 0)
        {
            return -1;
        }

        // Padding carries no bits; every 4 data characters are 3 bytes, a partial quantum of n characters is n-1 bytes.
        long data = significant - padding;
        if (data % 4 == 1)
        {
            // A lone 6-bit group cannot encode a byte.
            return -1;
        }

        return data * 3 / 4;
    }

    /// <summary>The decoded size of a parsed data URL's payload: base64 estimate, or the percent-decoded length of plain text.</summary>
    public static long EstimateDecodedLength(ReadOnlySpan<char> url, bool isBase64, int payloadStart)
    {
        ReadOnlySpan<char> payload = url[payloadStart..];
        if (isBase64)
        {
            return EstimateDecodedLength(payload);
        }

        // Each %XX stands for one byte; a bound that never under-counts is all a size check needs.
        return payload.Length - (2L * payload.Count('%'));
    }

    private static long CountSignificant<T>(ReadOnlySpan<T> text, int firstOther, SearchValues<T> alphabet, SearchValues<T> whitespace)
        where T : IEquatable<T>
    {
        long count = firstOther;
        ReadOnlySpan<T> rest = text[firstOther..];
        while (!rest.IsEmpty)
        {
            if (!whitespace.Contains(rest[0]))
            {
                return -1;
            }

            int next = rest.IndexOfAnyExcept(whitespace);
            if (next < 0)
            {
                break;
            }

            rest = rest[next..];
            int run = rest.IndexOfAnyExcept(alphabet);
            int take = run < 0 ? rest.Length : run;
            count += take;
            rest = rest[take..];
        }

        return count;
    }

    private static int CountPadding<T>(ReadOnlySpan<T> text, SearchValues<T> whitespace, T pad)
        where T : IEquatable<T>
    {
        int end = text.LastIndexOfAnyExcept(whitespace);
        text = text[..(end + 1)];
        int padding = 0;
        while (!text.IsEmpty && text[^1].Equals(pad))
        {
            padding++;
            end = text[..^1].LastIndexOfAnyExcept(whitespace);
            text = text[..(end + 1)];
        }

        // '=' only at the very end, and at most two of them.
        return padding > 2 || text.Contains(pad) ? -1 : padding;
    }
}
