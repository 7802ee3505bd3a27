namespace AotPipe.Configuration;

/// <summary>Every setting the gateway reads, in the order of DESIGN.md section 3.</summary>
public static class SettingsCatalog
{
    /// <summary>The full list; <see cref="GatewaySettings"/> is parsed from it.</summary>
    public static IReadOnlyList<SettingDefinition> All { get; } =
    [
        new("OPENROUTER_API_KEY", SettingKind.Secret, null, "Upstream key; if unset the gateway starts and /v1/* answers 401 openrouter_api_key_missing."),
        new("OPENROUTER_API_BASE_URL", SettingKind.Text, "https://openrouter.ai/api/v1", "Upstream base URL; never egress-filtered."),
        new("WEBUI_SECRET_KEY", SettingKind.Secret, null, "Decrypts encrypted: values; keys the SEND_CACHE_SESSION_ID HMAC."),
        new("AOTPIPE_API_KEYS", SettingKind.Secret, null, "Inbound keys: comma-separated name:key or name:sha256:<64 hex>; @/path reads one entry per line."),
        new("AOTPIPE_ALLOW_UNAUTHENTICATED", SettingKind.Boolean, "false", "Explicit opt-in to listen on non-loopback addresses without inbound keys."),
        new("AOTPIPE_APP_TITLE", SettingKind.Text, "AotPipe", "X-OpenRouter-Title value."),
        new("HTTP_REFERER_OVERRIDE", SettingKind.Text, null, "HTTP-Referer value (absolute http(s) URL only)."),
        new("HTTP_CONNECT_TIMEOUT_SECONDS", SettingKind.Number, "10", "Upstream and download connect timeout.", 0.1, 600),
        new("HTTP_SOCK_READ_SECONDS", SettingKind.Number, "300", "Upstream idle timeout (resets on every byte); no total timeout on streams.", 0.1, 86400),
        new("MAX_REQUEST_BODY_MB", SettingKind.Number, "128", "Request body cap in MiB.", 0.001, 4096),
        new("MAX_CONCURRENT_REQUESTS", SettingKind.Integer, "200", "In-flight /v1/* requests; above it 503 at once with Retry-After: 1.", 1, 1_000_000),
        new("AOTPIPE_TENANT_MAX_CONCURRENT", SettingKind.Integer, "0", "Per-tenant in-flight cap (429); 0 = off.", 0, 1_000_000),
        new("AOTPIPE_TENANT_RPM", SettingKind.Integer, "0", "Per-tenant requests per minute (429); 0 = off.", 0, 100_000_000),
        new("SHUTDOWN_DRAIN_SECONDS", SettingKind.Number, "25", "On SIGTERM, time in-flight streams get before an in-band error ends them.", 0, 3600),
        new("LOG_LEVEL", SettingKind.Choice, "INFO", "Console log level.", Choices: ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]),
        new("LOG_FORMAT", SettingKind.Choice, "text", "Console log format.", Choices: ["text", "json"]),
        new("ACCESS_LOG", SettingKind.Boolean, "false", "One structured line per request."),
        new("DATABASE_URL", SettingKind.Secret, null, "PostgreSQL as postgresql://user:pass@host:port/db or an Npgsql keyword string; unset = embedded store. Full edition only: the lean edition exits 2 when set."),
        new("AOTPIPE_DATA_DIR", SettingKind.Text, "./data", "Embedded store and spill journal directory."),
        new("PIPE_ID", SettingKind.Text, "aotpipe", "Table-name fragment and cache namespace."),
        new("ARTIFACT_ENCRYPTION_KEY", SettingKind.Secret, null, "Artifact key; unset = artifacts stored as plain JSON (loud warning); under 32 characters warns."),
        new("ARTIFACT_ENCRYPTION_KEY_PREVIOUS", SettingKind.Secret, null, "Previous artifact key, still readable by key id; source for rotate-artifact-key."),
        new("ENCRYPT_ALL", SettingKind.Boolean, "true", "false = only reasoning items encrypted."),
        new("ENABLE_LZ4_COMPRESSION", SettingKind.Boolean, "true", "Compress before encrypting (kept only when smaller)."),
        new("ARTIFACT_COMPRESSION", SettingKind.Choice, "lz4", "Artifact compression codec.", Choices: ["lz4", "zstd", "none"]),
        new("MIN_COMPRESS_BYTES", SettingKind.Integer, "0", "Compress only payloads at least this large.", 0, int.MaxValue),
        new("DB_BATCH_SIZE", SettingKind.Integer, "256", "Most rows per COPY batch.", 1, 100_000),
        new("DB_BATCH_WINDOW_MS", SettingKind.Integer, "5", "Longest wait to fill a batch (group commit).", 0, 60_000),
        new("PERSIST_REASONING_TOKENS", SettingKind.Choice, "conversation", "Reasoning persistence mode.", Choices: ["disabled", "next_reply", "conversation"]),
        new("ARTIFACT_CLEANUP_DAYS", SettingKind.Number, "90", "Artifact retention from last access, in days.", 0, 36500),
        new("ARTIFACT_CLEANUP_INTERVAL_HOURS", SettingKind.Number, "1.0", "Cleanup cadence (plus jitter).", 0.001, 8760),
        new("REDIS_URL", SettingKind.Secret, null, "Optional artifact read cache; unset = off. Full edition only: the lean edition exits 2 when set."),
        new("REDIS_CACHE_TTL_SECONDS", SettingKind.Integer, "600", "Cache TTL.", 1, 31_536_000),
        new("ENABLE_SSRF_PROTECTION", SettingKind.Boolean, "true", "Address rules of the egress guard (scheme rules always apply)."),
        new("ALLOW_INSECURE_HTTP", SettingKind.Boolean, "false", "Permit http:// for allowlisted hosts."),
        new("ALLOW_INSECURE_HTTP_HOSTS", SettingKind.Text, null, "Comma list of host, host:port, [v6]:port."),
        new("REMOTE_FILE_MAX_SIZE_MB", SettingKind.Number, "50", "Download cap in MiB.", 0.001, 4096),
        new("REMOTE_DOWNLOAD_MAX_RETRIES", SettingKind.Integer, "3", "Extra download attempts.", 0, 100),
        new("REMOTE_DOWNLOAD_INITIAL_RETRY_DELAY_SECONDS", SettingKind.Number, "5", "First download backoff, doubling.", 0, 3600),
        new("REMOTE_DOWNLOAD_MAX_RETRY_TIME_SECONDS", SettingKind.Number, "45", "Whole download budget, Retry-After included.", 0.001, 3600),
        new("BASE64_MAX_SIZE_MB", SettingKind.Number, "50", "Decoded-size cap for inline base64, in MiB.", 0.001, 4096),
        new("VIDEO_MAX_SIZE_MB", SettingKind.Number, "100", "Cap for data: video, in MiB.", 0.001, 4096),
        new("MAX_INPUT_IMAGES_PER_REQUEST", SettingKind.Integer, "5", "Images forwarded per request.", 0, 1000),
        new("SEND_END_USER_ID", SettingKind.Boolean, "false", "Send user and metadata.user_id."),
        new("END_USER_ID_SOURCE", SettingKind.Choice, "id", "Source of the user value.", Choices: ["id", "email", "name"]),
        new("SEND_CACHE_SESSION_ID", SettingKind.Boolean, "true", "session_id = hex HMAC-SHA256(chat id) keyed with WEBUI_SECRET_KEY."),
        new("SEND_SESSION_ID", SettingKind.Boolean, "false", "Raw session id into metadata."),
        new("SEND_CHAT_ID", SettingKind.Boolean, "false", "Raw chat id into metadata."),
        new("SEND_MESSAGE_ID", SettingKind.Boolean, "false", "Raw message id into metadata."),
        new("SESSION_LOG_STORE_ENABLED", SettingKind.Boolean, "false", "Encrypted per-message log archives."),
        new("SESSION_LOG_DIR", SettingKind.Text, "session_logs", "Archive base directory."),
        new("SESSION_LOG_ZIP_PASSWORD", SettingKind.Secret, null, "Archive password; required when archives are on."),
        new("SESSION_LOG_FORMAT", SettingKind.Choice, "jsonl", "Archive log format.", Choices: ["jsonl", "text", "both"]),
        new("SESSION_LOG_MAX_LINES", SettingKind.Integer, "20000", "Events kept per request.", 1, 10_000_000),
        new("SESSION_LOG_RETENTION_DAYS", SettingKind.Number, "90", "Archive age limit in days.", 0, 36500),
        new("SESSION_LOG_CLEANUP_INTERVAL_SECONDS", SettingKind.Number, "3600", "Archive cleanup cadence.", 1, 31_536_000),
    ];

    /// <summary>Finds a definition by its exact name.</summary>
    public static SettingDefinition Get(string name)
    {
        foreach (var definition in All)
        {
            if (definition.Name == name)
            {
                return definition;
            }
        }

        throw new ArgumentException("Unknown setting.", nameof(name));
    }
}
