namespace AotPipe.Configuration;

/// <summary>The effective configuration, parsed once at start-up from the environment (DESIGN.md section 3).</summary>
public sealed class GatewaySettings
{
    /// <summary>Megabytes in settings are MiB.</summary>
    private const double Mebibyte = 1024 * 1024;

    /// <summary>Upstream key, decrypted; null when not configured.</summary>
    public string? OpenRouterApiKey { get; init; }

    /// <summary>Upstream base URL without a trailing slash.</summary>
    public required string OpenRouterBaseUrl { get; init; }

    /// <summary>Open WebUI's secret key (decrypts <c>encrypted:</c> values, keys the session HMAC).</summary>
    public string? WebUiSecretKey { get; init; }

    /// <summary>Raw inbound key list (parsed by the auth layer).</summary>
    public string? ApiKeys { get; init; }

    /// <summary>Explicit opt-in to run without inbound keys on non-loopback addresses.</summary>
    public bool AllowUnauthenticated { get; init; }

    /// <summary><c>X-OpenRouter-Title</c> header value.</summary>
    public required string AppTitle { get; init; }

    /// <summary><c>HTTP-Referer</c> header value, only when an absolute http(s) URL.</summary>
    public string? HttpReferer { get; init; }

    /// <summary>Connect timeout for upstream and downloads.</summary>
    public TimeSpan ConnectTimeout { get; init; }

    /// <summary>Idle timeout of the upstream stream; resets on every byte.</summary>
    public TimeSpan IdleTimeout { get; init; }

    /// <summary>Largest accepted request body in bytes.</summary>
    public long MaxRequestBodyBytes { get; init; }

    /// <summary>Global in-flight cap for <c>/v1/*</c>.</summary>
    public int MaxConcurrentRequests { get; init; }

    /// <summary>Per-tenant in-flight cap; 0 = off.</summary>
    public int TenantMaxConcurrent { get; init; }

    /// <summary>Per-tenant requests per minute; 0 = off.</summary>
    public int TenantRequestsPerMinute { get; init; }

    /// <summary>Time in-flight streams get on shutdown.</summary>
    public TimeSpan ShutdownDrain { get; init; }

    /// <summary>Console log level word (DEBUG, INFO, WARNING, ERROR, CRITICAL).</summary>
    public required string LogLevel { get; init; }

    /// <summary>Whether console logs are JSON lines.</summary>
    public bool JsonLogs { get; init; }

    /// <summary>Whether one structured access line is logged per request.</summary>
    public bool AccessLog { get; init; }

    /// <summary>PostgreSQL connection (URL or keyword form); null = embedded store.</summary>
    public string? DatabaseUrl { get; init; }

    /// <summary>Embedded store and journal directory.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>Pipe id: table-name fragment and cache namespace.</summary>
    public required string PipeId { get; init; }

    /// <summary>Current artifact key, trimmed; null = plain artifacts.</summary>
    public string? ArtifactKey { get; init; }

    /// <summary>Previous artifact key, trimmed.</summary>
    public string? ArtifactKeyPrevious { get; init; }

    /// <summary>Encrypt every item type (else only reasoning).</summary>
    public bool EncryptAll { get; init; }

    /// <summary>Artifact compression codec: lz4, zstd or none.</summary>
    public required string ArtifactCompression { get; init; }

    /// <summary>Smallest payload that is compressed.</summary>
    public int MinCompressBytes { get; init; }

    /// <summary>Most rows per COPY batch.</summary>
    public int DbBatchSize { get; init; }

    /// <summary>Longest wait to fill a batch.</summary>
    public TimeSpan DbBatchWindow { get; init; }

    /// <summary>disabled, next_reply or conversation.</summary>
    public required string PersistReasoning { get; init; }

    /// <summary>Artifact retention from last access.</summary>
    public TimeSpan ArtifactRetention { get; init; }

    /// <summary>Artifact cleanup cadence.</summary>
    public TimeSpan ArtifactCleanupInterval { get; init; }

    /// <summary>Optional Redis URL.</summary>
    public string? RedisUrl { get; init; }

    /// <summary>Redis cache TTL.</summary>
    public TimeSpan RedisTtl { get; init; }

    /// <summary>Address rules of the egress guard.</summary>
    public bool EnableSsrfProtection { get; init; }

    /// <summary>Permit http:// for allowlisted hosts.</summary>
    public bool AllowInsecureHttp { get; init; }

    /// <summary>http allowlist entries.</summary>
    public IReadOnlyList<string> AllowInsecureHttpHosts { get; init; } = [];

    /// <summary>Download cap in bytes.</summary>
    public long RemoteFileMaxBytes { get; init; }

    /// <summary>Extra download attempts.</summary>
    public int RemoteDownloadMaxRetries { get; init; }

    /// <summary>First download backoff.</summary>
    public TimeSpan RemoteDownloadInitialRetryDelay { get; init; }

    /// <summary>Whole download budget.</summary>
    public TimeSpan RemoteDownloadMaxRetryTime { get; init; }

    /// <summary>Decoded-size cap for inline base64, in bytes.</summary>
    public long Base64MaxBytes { get; init; }

    /// <summary>Cap for data: video, in bytes.</summary>
    public long VideoMaxBytes { get; init; }

    /// <summary>Images forwarded per request.</summary>
    public int MaxInputImagesPerRequest { get; init; }

    /// <summary>Send user and metadata.user_id.</summary>
    public bool SendEndUserId { get; init; }

    /// <summary>id, email or name.</summary>
    public required string EndUserIdSource { get; init; }

    /// <summary>Send the HMAC session id.</summary>
    public bool SendCacheSessionId { get; init; }

    /// <summary>Send the raw session id.</summary>
    public bool SendSessionId { get; init; }

    /// <summary>Send the raw chat id.</summary>
    public bool SendChatId { get; init; }

    /// <summary>Send the raw message id.</summary>
    public bool SendMessageId { get; init; }

    /// <summary>Session-log archives on.</summary>
    public bool SessionLogEnabled { get; init; }

    /// <summary>Session-log archive directory.</summary>
    public required string SessionLogDirectory { get; init; }

    /// <summary>Session-log archive password.</summary>
    public string? SessionLogZipPassword { get; init; }

    /// <summary>jsonl, text or both.</summary>
    public required string SessionLogFormat { get; init; }

    /// <summary>Events kept per request.</summary>
    public int SessionLogMaxLines { get; init; }

    /// <summary>Archive age limit.</summary>
    public TimeSpan SessionLogRetention { get; init; }

    /// <summary>Archive cleanup cadence.</summary>
    public TimeSpan SessionLogCleanupInterval { get; init; }

    /// <summary>Parses the environment; throws <see cref="SettingsException"/> naming the first bad setting.</summary>
    public static GatewaySettings Load(IReadOnlyDictionary<string, string?> environment)
    {
        var r = new SettingsReader(environment);
        var baseUrl = r.Text("OPENROUTER_API_BASE_URL").Trim().TrimEnd('/');
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var baseUri) || (baseUri.Scheme != Uri.UriSchemeHttps && baseUri.Scheme != Uri.UriSchemeHttp))
        {
            throw new SettingsException("OPENROUTER_API_BASE_URL", "expected an absolute http(s) URL.");
        }

        var referer = r.OptionalText("HTTP_REFERER_OVERRIDE")?.Trim();
        if (referer is not null && !(Uri.TryCreate(referer, UriKind.Absolute, out var refererUri) && (refererUri.Scheme == Uri.UriSchemeHttps || refererUri.Scheme == Uri.UriSchemeHttp)))
        {
            // DESIGN.md section 2: the header is sent only for an absolute http(s) URL; anything else is dropped.
            referer = null;
        }

        var insecureHosts = SplitList(r.OptionalText("ALLOW_INSECURE_HTTP_HOSTS"));
        foreach (var entry in insecureHosts)
        {
            if (!Security.Egress.EgressPolicy.TryParseHostEntry(entry, out _, out _))
            {
                throw new SettingsException("ALLOW_INSECURE_HTTP_HOSTS", "each entry must be host, host:port or [v6]:port.");
            }
        }

        var compression = r.Boolean("ENABLE_LZ4_COMPRESSION") ? r.Choice("ARTIFACT_COMPRESSION") : "none";
        return new GatewaySettings
        {
            OpenRouterApiKey = r.Secret("OPENROUTER_API_KEY")?.Trim(),
            OpenRouterBaseUrl = baseUrl,
            WebUiSecretKey = r.Raw("WEBUI_SECRET_KEY"),
            ApiKeys = r.Secret("AOTPIPE_API_KEYS"),
            AllowUnauthenticated = r.Boolean("AOTPIPE_ALLOW_UNAUTHENTICATED"),
            AppTitle = r.Text("AOTPIPE_APP_TITLE"),
            HttpReferer = referer,
            ConnectTimeout = TimeSpan.FromSeconds(r.Number("HTTP_CONNECT_TIMEOUT_SECONDS")),
            IdleTimeout = TimeSpan.FromSeconds(r.Number("HTTP_SOCK_READ_SECONDS")),
            MaxRequestBodyBytes = (long)(r.Number("MAX_REQUEST_BODY_MB") * Mebibyte),
            MaxConcurrentRequests = r.Integer("MAX_CONCURRENT_REQUESTS"),
            TenantMaxConcurrent = r.Integer("AOTPIPE_TENANT_MAX_CONCURRENT"),
            TenantRequestsPerMinute = r.Integer("AOTPIPE_TENANT_RPM"),
            ShutdownDrain = TimeSpan.FromSeconds(r.Number("SHUTDOWN_DRAIN_SECONDS")),
            LogLevel = r.Choice("LOG_LEVEL"),
            JsonLogs = r.Choice("LOG_FORMAT") == "json",
            AccessLog = r.Boolean("ACCESS_LOG"),
            DatabaseUrl = r.Secret("DATABASE_URL"),
            DataDirectory = r.Text("AOTPIPE_DATA_DIR"),
            PipeId = r.Text("PIPE_ID"),
            ArtifactKey = NullIfEmpty(r.Secret("ARTIFACT_ENCRYPTION_KEY")?.Trim()),
            ArtifactKeyPrevious = NullIfEmpty(r.Secret("ARTIFACT_ENCRYPTION_KEY_PREVIOUS")?.Trim()),
            EncryptAll = r.Boolean("ENCRYPT_ALL"),
            ArtifactCompression = compression,
            MinCompressBytes = r.Integer("MIN_COMPRESS_BYTES"),
            DbBatchSize = r.Integer("DB_BATCH_SIZE"),
            DbBatchWindow = TimeSpan.FromMilliseconds(r.Integer("DB_BATCH_WINDOW_MS")),
            PersistReasoning = r.Choice("PERSIST_REASONING_TOKENS"),
            ArtifactRetention = TimeSpan.FromDays(r.Number("ARTIFACT_CLEANUP_DAYS")),
            ArtifactCleanupInterval = TimeSpan.FromHours(r.Number("ARTIFACT_CLEANUP_INTERVAL_HOURS")),
            RedisUrl = r.Secret("REDIS_URL"),
            RedisTtl = TimeSpan.FromSeconds(r.Integer("REDIS_CACHE_TTL_SECONDS")),
            EnableSsrfProtection = r.Boolean("ENABLE_SSRF_PROTECTION"),
            AllowInsecureHttp = r.Boolean("ALLOW_INSECURE_HTTP"),
            AllowInsecureHttpHosts = insecureHosts,
            RemoteFileMaxBytes = (long)(r.Number("REMOTE_FILE_MAX_SIZE_MB") * Mebibyte),
            RemoteDownloadMaxRetries = r.Integer("REMOTE_DOWNLOAD_MAX_RETRIES"),
            RemoteDownloadInitialRetryDelay = TimeSpan.FromSeconds(r.Number("REMOTE_DOWNLOAD_INITIAL_RETRY_DELAY_SECONDS")),
            RemoteDownloadMaxRetryTime = TimeSpan.FromSeconds(r.Number("REMOTE_DOWNLOAD_MAX_RETRY_TIME_SECONDS")),
            Base64MaxBytes = (long)(r.Number("BASE64_MAX_SIZE_MB") * Mebibyte),
            VideoMaxBytes = (long)(r.Number("VIDEO_MAX_SIZE_MB") * Mebibyte),
            MaxInputImagesPerRequest = r.Integer("MAX_INPUT_IMAGES_PER_REQUEST"),
            SendEndUserId = r.Boolean("SEND_END_USER_ID"),
            EndUserIdSource = r.Choice("END_USER_ID_SOURCE"),
            SendCacheSessionId = r.Boolean("SEND_CACHE_SESSION_ID"),
            SendSessionId = r.Boolean("SEND_SESSION_ID"),
            SendChatId = r.Boolean("SEND_CHAT_ID"),
            SendMessageId = r.Boolean("SEND_MESSAGE_ID"),
            SessionLogEnabled = r.Boolean("SESSION_LOG_STORE_ENABLED"),
            SessionLogDirectory = r.Text("SESSION_LOG_DIR"),
            SessionLogZipPassword = r.Secret("SESSION_LOG_ZIP_PASSWORD"),
            SessionLogFormat = r.Choice("SESSION_LOG_FORMAT"),
            SessionLogMaxLines = r.Integer("SESSION_LOG_MAX_LINES"),
            SessionLogRetention = TimeSpan.FromDays(r.Number("SESSION_LOG_RETENTION_DAYS")),
            SessionLogCleanupInterval = TimeSpan.FromSeconds(r.Number("SESSION_LOG_CLEANUP_INTERVAL_SECONDS")),
        };
    }

    /// <summary>Reads the process environment into a snapshot for <see cref="Load"/>.</summary>
    public static IReadOnlyDictionary<string, string?> SnapshotEnvironment()
    {
        var snapshot = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var definition in SettingsCatalog.All)
        {
            snapshot[definition.Name] = Environment.GetEnvironmentVariable(definition.Name);
        }

        return snapshot;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static string[] SplitList(string? value) =>
        value is null ? [] : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
