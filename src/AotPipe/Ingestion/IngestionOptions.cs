namespace AotPipe.Ingestion;

/// <summary>Limits of multimodal ingestion, bound from the settings of DESIGN.md §3 (sizes in MiB there, bytes here).</summary>
internal sealed record IngestionOptions
{
    /// <summary>Bytes in one MiB (DESIGN.md §3: "Sizes in MB are MiB").</summary>
    public const long BytesPerMiB = 1024 * 1024;

    /// <summary>Longest single download attempt (the original pipe's 60 s cap), further bounded by <see cref="MaxRetryTime"/>.</summary>
    public static readonly TimeSpan DefaultAttemptTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Longest wait for response headers in one attempt.</summary>
    public static readonly TimeSpan DefaultResponseHeaderTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Most downloads of one request that run at the same time.</summary>
    public const int DefaultMaxConcurrentDownloads = 4;

    /// <summary><c>REMOTE_FILE_MAX_SIZE_MB</c> (default 50): largest body a download may have.</summary>
    public long RemoteFileMaxBytes { get; init; } = 50 * BytesPerMiB;

    /// <summary><c>REMOTE_DOWNLOAD_MAX_RETRIES</c> (default 3): extra attempts after the first.</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary><c>REMOTE_DOWNLOAD_INITIAL_RETRY_DELAY_SECONDS</c> (default 5): first backoff, doubling after each retry.</summary>
    public TimeSpan InitialRetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary><c>REMOTE_DOWNLOAD_MAX_RETRY_TIME_SECONDS</c> (default 45): the whole download budget, waits and <c>Retry-After</c> included.</summary>
    public TimeSpan MaxRetryTime { get; init; } = TimeSpan.FromSeconds(45);

    /// <summary>Longest single attempt; see <see cref="DefaultAttemptTimeout"/>.</summary>
    public TimeSpan AttemptTimeout { get; init; } = DefaultAttemptTimeout;

    /// <summary>Longest wait for response headers; see <see cref="DefaultResponseHeaderTimeout"/>.</summary>
    public TimeSpan ResponseHeaderTimeout { get; init; } = DefaultResponseHeaderTimeout;

    /// <summary><c>BASE64_MAX_SIZE_MB</c> (default 50): largest decoded size of inline base64.</summary>
    public long Base64MaxBytes { get; init; } = 50 * BytesPerMiB;

    /// <summary><c>VIDEO_MAX_SIZE_MB</c> (default 100): largest decoded size of a <c>data:</c> video.</summary>
    public long VideoMaxBytes { get; init; } = 100 * BytesPerMiB;

    /// <summary><c>MAX_INPUT_IMAGES_PER_REQUEST</c> (default 5): images forwarded per request.</summary>
    public int MaxInputImages { get; init; } = 5;

    /// <summary>Most concurrent downloads per request; see <see cref="DefaultMaxConcurrentDownloads"/>.</summary>
    public int MaxConcurrentDownloads { get; init; } = DefaultMaxConcurrentDownloads;

    /// <summary>Builds the options from the settings' units (MiB and seconds).</summary>
    public static IngestionOptions FromSettings(
        double remoteFileMaxMb,
        int maxRetries,
        double initialRetryDelaySeconds,
        double maxRetryTimeSeconds,
        double base64MaxMb,
        double videoMaxMb,
        int maxInputImages) => new()
        {
            RemoteFileMaxBytes = (long)(remoteFileMaxMb * BytesPerMiB),
            MaxRetries = maxRetries,
            InitialRetryDelay = TimeSpan.FromSeconds(initialRetryDelaySeconds),
            MaxRetryTime = TimeSpan.FromSeconds(maxRetryTimeSeconds),
            Base64MaxBytes = (long)(base64MaxMb * BytesPerMiB),
            VideoMaxBytes = (long)(videoMaxMb * BytesPerMiB),
            MaxInputImages = maxInputImages,
        };
}
