namespace AotPipe.Ingestion;

/// <summary>Decides the media type of downloaded bytes: magic numbers first (servers mislabel), then <c>Content-Type</c>.</summary>
internal static class MediaTypeSniffer
{
    /// <summary>The type used when nothing better is known.</summary>
    public const string Fallback = "application/octet-stream";

    /// <summary>Returns the media type for <paramref name="content"/> given the response's <paramref name="contentType"/> (may be null; parameters are ignored).</summary>
    public static string Detect(ReadOnlySpan<byte> content, string? contentType)
    {
        if (FromMagic(content) is { } sniffed)
        {
            return sniffed;
        }

        if (string.IsNullOrWhiteSpace(contentType))
        {
            return Fallback;
        }

        int semicolon = contentType.IndexOf(';');
        string essence = (semicolon < 0 ? contentType : contentType[..semicolon]).Trim().ToLowerInvariant();
        return essence.Length > 127 || essence.IndexOf('/') <= 0 || essence.AsSpan().ContainsAny(";, \"\t") ? Fallback : essence;
    }

    private static string? FromMagic(ReadOnlySpan<byte> b)
    {
        if (b.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return "image/png";
        }

        if (b.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return "image/jpeg";
        }

        if (b.StartsWith("GIF87a"u8) || b.StartsWith("GIF89a"u8))
        {
            return "image/gif";
        }

        if (b.Length >= 12 && b.StartsWith("RIFF"u8))
        {
            ReadOnlySpan<byte> kind = b.Slice(8, 4);
            if (kind.SequenceEqual("WEBP"u8))
            {
                return "image/webp";
            }

            if (kind.SequenceEqual("WAVE"u8))
            {
                return "audio/wav";
            }
        }

        if (b.StartsWith("%PDF-"u8))
        {
            return "application/pdf";
        }

        if (b.StartsWith("BM"u8) && b.Length >= 14)
        {
            return "image/bmp";
        }

        if (b.Length >= 12 && b.Slice(4, 4).SequenceEqual("ftyp"u8))
        {
            ReadOnlySpan<byte> brand = b.Slice(8, 4);
            return brand.SequenceEqual("heic"u8) || brand.SequenceEqual("heix"u8) ? "image/heic"
                : brand.SequenceEqual("avif"u8) ? "image/avif"
                : brand.StartsWith("M4A"u8) ? "audio/mp4"
                : "video/mp4";
        }

        if (b.StartsWith((ReadOnlySpan<byte>)[0x1A, 0x45, 0xDF, 0xA3]))
        {
            return "video/webm";
        }

        if (b.StartsWith("ID3"u8) || (b.Length >= 2 && b[0] == 0xFF && (b[1] & 0xE0) == 0xE0))
        {
            return "audio/mpeg";
        }

        if (b.StartsWith("OggS"u8))
        {
            return "audio/ogg";
        }

        return null;
    }
}
