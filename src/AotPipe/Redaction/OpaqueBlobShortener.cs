using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace AotPipe.Redaction;

/// <summary>
/// Shortens opaque blobs in a logged JSON document: string values of <c>encrypted_content</c> and <c>signature</c> longer than
/// <see cref="MaxUnshortenedLength"/> characters keep their first <see cref="Base64Redactor.PrefixLength"/> characters followed
/// by <c>…[REDACTED](N chars)…</c> (DESIGN.md section 4). Everything else is copied byte for byte.
/// </summary>
/// <remarks>Works on a whole document, for log lines; the streaming path is <see cref="Base64Redactor"/>.</remarks>
internal static class OpaqueBlobShortener
{
    /// <summary>Longest blob, in characters of the decoded string, that is logged unchanged.</summary>
    public const int MaxUnshortenedLength = 256;

    /// <summary>
    /// Copies <paramref name="utf8Json"/> to <paramref name="output"/> with long opaque blobs shortened and returns whether
    /// anything changed. A document that is not valid JSON is shortened up to the first error and copied unchanged after it.
    /// </summary>
    public static bool Shorten(ReadOnlySpan<byte> utf8Json, IBufferWriter<byte> output)
    {
        int copied = 0;
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        bool isBlobValue = false;
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName)
                {
                    isBlobValue = reader.ValueTextEquals("encrypted_content"u8) || reader.ValueTextEquals("signature"u8);
                    continue;
                }

                if (isBlobValue && reader.TokenType == JsonTokenType.String && !reader.HasValueSequence
                    && reader.ValueSpan.Length > MaxUnshortenedLength)
                {
                    string value = reader.GetString()!;
                    if (value.Length > MaxUnshortenedLength)
                    {
                        // The value's raw bytes sit between the quotes that start at TokenStartIndex.
                        int valueStart = (int)reader.TokenStartIndex + 1;
                        output.Write(utf8Json[copied..valueStart]);
                        WriteShortened(value, output);
                        copied = valueStart + reader.ValueSpan.Length;
                    }
                }

                isBlobValue = false;
            }
        }
        catch (JsonException)
        {
            // A truncated or invalid log payload: keep what was shortened, copy the rest as it is.
        }

        output.Write(utf8Json[copied..]);
        return copied > 0;
    }

    /// <summary>Shortens the opaque blobs of a complete JSON document and returns it as a string.</summary>
    public static string ShortenToString(ReadOnlySpan<byte> utf8Json)
    {
        var output = new ArrayBufferWriter<byte>(utf8Json.Length);
        Shorten(utf8Json, output);
        return System.Text.Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static void WriteShortened(string value, IBufferWriter<byte> output)
    {
        int keep = Base64Redactor.PrefixLength;
        if (char.IsHighSurrogate(value[keep - 1]))
        {
            keep--;
        }

        var prefix = JsonEncodedText.Encode(value.AsSpan(0, keep), JavaScriptEncoder.UnsafeRelaxedJsonEscaping);
        output.Write(prefix.EncodedUtf8Bytes);
        output.Write("…[REDACTED]("u8);
        var digits = output.GetSpan(11);
        value.Length.TryFormat(digits, out int written, default, System.Globalization.CultureInfo.InvariantCulture);
        output.Advance(written);
        output.Write(" chars)…"u8);
    }
}
