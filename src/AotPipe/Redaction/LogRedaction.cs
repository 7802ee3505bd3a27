using System.Buffers;
using System.Text;

namespace AotPipe.Redaction;

/// <summary>
/// The one redaction step every logged payload and every captured session-log message takes: base64 data URLs through
/// <see cref="Base64Redactor"/>, then opaque blobs (<c>encrypted_content</c>, <c>signature</c>) through
/// <see cref="OpaqueBlobShortener"/> (DESIGN.md section 4, SECURITY.md section 6).
/// </summary>
internal static class LogRedaction
{
    /// <summary>
    /// Texts shorter than this cannot hold anything either step changes: a redacted data URL needs <c>data:;base64,</c> and
    /// <see cref="Base64Redactor.RedactThreshold"/> payload characters, an opaque blob more than
    /// <see cref="OpaqueBlobShortener.MaxUnshortenedLength"/>.
    /// </summary>
    public const int MinRedactableLength = Base64Redactor.RedactThreshold;

    /// <summary>Redacts a UTF-8 JSON document (or any text) and returns it as a string.</summary>
    public static string RedactUtf8(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length < MinRedactableLength)
        {
            return Encoding.UTF8.GetString(utf8);
        }

        if (Base64Redactor.ContainsCandidate(utf8))
        {
            var redacted = new ArrayBufferWriter<byte>(utf8.Length);
            var redactor = new Base64Redactor();
            redactor.Redact(utf8, redacted, isFinalBlock: true);
            return ShortenBlobs(redacted.WrittenSpan);
        }

        return ShortenBlobs(utf8);
    }

    /// <summary>
    /// Redacts a formatted log message. The text is returned as it is when it is too short to hold a blob; a JSON document
    /// embedded after a prefix (<c>"payload: {...}"</c>) has its opaque blobs shortened too.
    /// </summary>
    public static string RedactText(string text)
    {
        if (text.Length < MinRedactableLength)
        {
            return text;
        }

        byte[] rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            int length = Encoding.UTF8.GetBytes(text, rented);
            var utf8 = rented.AsSpan(0, length);
            bool hasDataUrl = Base64Redactor.ContainsCandidate(utf8);
            bool hasBlob = utf8.IndexOf("encrypted_content"u8) >= 0 || utf8.IndexOf("signature"u8) >= 0;
            if (!hasDataUrl && !hasBlob)
            {
                return text;
            }

            return RedactUtf8(utf8);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static string ShortenBlobs(ReadOnlySpan<byte> utf8)
    {
        // Log messages often carry a JSON document after a short prefix: shorten from its first brace on.
        int start = utf8.IndexOfAny((byte)'{', (byte)'[');
        if (start < 0 || (utf8.IndexOf("encrypted_content"u8) < 0 && utf8.IndexOf("signature"u8) < 0))
        {
            return Encoding.UTF8.GetString(utf8);
        }

        var output = new ArrayBufferWriter<byte>(utf8.Length);
        output.Write(utf8[..start]);
        OpaqueBlobShortener.Shorten(utf8[start..], output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }
}
