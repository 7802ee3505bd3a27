namespace AotPipe.Ingestion;

/// <summary>Reasons for removing an inline attachment (remote ones use <see cref="Security.Egress.EgressReasons"/>).</summary>
internal static class IngestionReasons
{
    /// <summary>A <c>data:</c> URL without a valid header.</summary>
    public const string InvalidDataUrl = "invalid-data-url";

    /// <summary>Text that should be base64 is not.</summary>
    public const string InvalidBase64 = "invalid-base64";

    /// <summary>Decoded size over <c>BASE64_MAX_SIZE_MB</c> (or <c>VIDEO_MAX_SIZE_MB</c> for video).</summary>
    public const string TooLarge = "too-large";

    /// <summary>The media type does not fit the part (an image part that is no image).</summary>
    public const string UnsupportedType = "unsupported-type";

    /// <summary>More images than <c>MAX_INPUT_IMAGES_PER_REQUEST</c>.</summary>
    public const string TooManyImages = "too-many-images";

    /// <summary>Audio given as a URL instead of base64.</summary>
    public const string AudioNotBase64 = "audio-not-base64";
}
