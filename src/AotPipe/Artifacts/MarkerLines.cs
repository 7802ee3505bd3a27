using System.Buffers;
using System.Text;

namespace AotPipe.Artifacts;

/// <summary>
/// Recognises, finds and strips the hidden artifact marker lines (<c>[&lt;id&gt;]: #</c>) and the gateway notice lines
/// (<c>&gt; ⚠ </c>-prefixed) that the gateway adds to streamed answers. A marker line is recognised only as
/// <c>^\s*\[[0-9A-HJKMNP-TV-Z]{20}\]: #\s*$</c>.
/// </summary>
internal static class MarkerLines
{
    /// <summary>Length of an artifact id: 20 characters of upper-case Crockford base32.</summary>
    public const int IdLength = 20;

    /// <summary>The prefix of a gateway notice line (section 6 of the design).</summary>
    public const string NoticePrefix = "> ⚠ ";

    // "[" + id + "]: #"
    private const int MarkerLength = IdLength + 5;

    private static readonly SearchValues<char> s_crockford = SearchValues.Create("0123456789ABCDEFGHJKMNPQRSTVWXYZ");

    /// <summary>Formats the marker line for <paramref name="id"/>: <c>[&lt;id&gt;]: #</c>.</summary>
    public static string FormatMarker(string id) => "[" + id + "]: #";

    /// <summary>True when <paramref name="id"/> is 20 characters of upper-case Crockford base32.</summary>
    public static bool IsValidId(ReadOnlySpan<char> id) => id.Length == IdLength && !id.ContainsAnyExcept(s_crockford);

    /// <summary>True when <paramref name="line"/> (without its line break) is a marker line.</summary>
    public static bool IsMarkerLine(ReadOnlySpan<char> line) => TryGetMarkerId(line, out _);

    /// <summary>True when <paramref name="line"/> starts with the gateway notice prefix.</summary>
    public static bool IsNoticeLine(ReadOnlySpan<char> line) => line.StartsWith(NoticePrefix, StringComparison.Ordinal);

    /// <summary>Returns the id of a marker line, or false when the line is not one.</summary>
    public static bool TryGetMarkerId(ReadOnlySpan<char> line, out ReadOnlySpan<char> id)
    {
        // Regex \s covers Unicode white space; char.IsWhiteSpace matches that set closely enough for \r and spaces.
        var trimmed = line.Trim();
        if (trimmed.Length == MarkerLength
            && trimmed[0] == '['
            && trimmed.EndsWith("]: #", StringComparison.Ordinal)
            && IsValidId(trimmed.Slice(1, IdLength)))
        {
            id = trimmed.Slice(1, IdLength);
            return true;
        }

        id = default;
        return false;
    }

    /// <summary>True when the text may hold a marker or notice line (a cheap pre-check before line splitting).</summary>
    public static bool MayContainGatewayLines(ReadOnlySpan<char> text) =>
        text.Contains("]: #", StringComparison.Ordinal) || text.Contains(NoticePrefix, StringComparison.Ordinal);

    /// <summary>Appends the ids of every marker line in <paramref name="text"/> to <paramref name="ids"/>, in order.</summary>
    /// <returns>The number of ids appended.</returns>
    public static int FindMarkerIds(ReadOnlySpan<char> text, List<string> ids)
    {
        if (!text.Contains("]: #", StringComparison.Ordinal))
        {
            return 0;
        }

        var found = 0;
        foreach (var line in text.EnumerateLines())
        {
            if (TryGetMarkerId(line, out var id))
            {
                ids.Add(id.ToString());
                found++;
            }
        }

        return found;
    }

    /// <summary>
    /// Removes marker lines and notice lines, then the blank lines they leave at the start and end of the text.
    /// Returns the same instance when there is nothing to strip.
    /// </summary>
    public static string Strip(string text)
    {
        if (!MayContainGatewayLines(text))
        {
            return text;
        }

        return StripSlow(text);
    }

    private static string StripSlow(string text)
    {
        var builder = new StringBuilder(text.Length);
        var stripped = false;
        var span = text.AsSpan();
        while (!span.IsEmpty)
        {
            // Keep each line's own terminator so untouched lines round-trip exactly (CRLF, LF or CR).
            var end = span.IndexOfAny('\r', '\n');
            int lineLength, breakLength;
            if (end < 0)
            {
                lineLength = span.Length;
                breakLength = 0;
            }
            else
            {
                lineLength = end;
                breakLength = span[end] == '\r' && end + 1 < span.Length && span[end + 1] == '\n' ? 2 : 1;
            }

            var line = span[..lineLength];
            if (IsMarkerLine(line) || IsNoticeLine(line))
            {
                stripped = true;
            }
            else
            {
                builder.Append(span[..(lineLength + breakLength)]);
            }

            span = span[(lineLength + breakLength)..];
        }

        if (!stripped)
        {
            return text;
        }

        // The gateway separates its lines from the answer with blank lines; those separators go with them.
        return TrimBlankLines(builder.ToString());
    }

    private static string TrimBlankLines(string text)
    {
        var span = text.AsSpan();
        var start = 0;
        while (true)
        {
            var rest = span[start..];
            var lineEnd = rest.IndexOf('\n');
            if (lineEnd < 0 || !rest[..lineEnd].IsWhiteSpace())
            {
                break;
            }

            start += lineEnd + 1;
        }

        return span[start..].TrimEnd().ToString();
    }
}
