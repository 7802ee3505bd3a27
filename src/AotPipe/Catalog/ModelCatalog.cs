using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using AotPipe.Upstream;

namespace AotPipe.Catalog;

/// <summary>OpenRouter's model list in the OpenAI list shape: fetched on first use, cached, refreshed while in use.</summary>
/// <remarks>
/// DESIGN.md section 1: start-up makes no network call. The first <c>GET /v1/models</c> fetches; later requests are
/// served from the cache, and a request that finds the copy older than <see cref="RefreshAfter"/> (plus jitter, so a
/// fleet does not refresh in step) starts one background refresh. When the upstream fails, the last good copy keeps
/// being served and marked stale.
/// </remarks>
public sealed class ModelCatalog
{
    /// <summary>Age after which a request triggers a background refresh.</summary>
    public static readonly TimeSpan RefreshAfter = TimeSpan.FromMinutes(10);

    /// <summary>Largest catalog accepted from the upstream.</summary>
    public const int MaxCatalogBytes = 32 * 1024 * 1024;

    private readonly OpenRouterClient _client;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _fetchLock = new(1, 1);
    private CatalogSnapshot? _current;
    private long _nextRefreshAt;
    private int _refreshing;

    /// <summary>Creates the catalog.</summary>
    public ModelCatalog(OpenRouterClient client, TimeProvider time)
    {
        _client = client;
        _time = time;
    }

    /// <summary>The cached catalog, fetching it the first time; null when the first fetch fails.</summary>
    public async Task<CatalogSnapshot?> GetAsync(CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _current);
        if (current is null)
        {
            await _fetchLock.WaitAsync(cancellationToken);
            try
            {
                current = _current ?? await FetchAsync(cancellationToken);
            }
            finally
            {
                _fetchLock.Release();
            }

            return current;
        }

        if (_time.GetTimestamp() >= Volatile.Read(ref _nextRefreshAt) && Interlocked.Exchange(ref _refreshing, 1) == 0)
        {
            _ = RefreshInBackgroundAsync();
        }

        return current;
    }

    private async Task RefreshInBackgroundAsync()
    {
        try
        {
            await FetchAsync(CancellationToken.None);
        }
        finally
        {
            Volatile.Write(ref _refreshing, 0);
        }
    }

    private async Task<CatalogSnapshot?> FetchAsync(CancellationToken cancellationToken)
    {
        var jitter = TimeSpan.FromSeconds(Random.Shared.Next(0, 60));
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            using var response = await _client.GetModelsAsync(timeout.Token);
            if (response.IsSuccessStatusCode)
            {
                var bytes = await response.Content.ReadAsByteArrayAsync(timeout.Token);
                if (bytes.Length <= MaxCatalogBytes && ToOpenAiList(bytes) is { } list)
                {
                    var snapshot = new CatalogSnapshot(list, IsStale: false);
                    Volatile.Write(ref _current, snapshot);
                    Volatile.Write(ref _nextRefreshAt, _time.GetTimestamp() + (long)((RefreshAfter + jitter).TotalSeconds * _time.TimestampFrequency));
                    return snapshot;
                }
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or JsonException)
        {
            // Fall through: keep serving the last good copy.
        }

        // A failed refresh retries sooner than a successful one, but not on every request.
        Volatile.Write(ref _nextRefreshAt, _time.GetTimestamp() + (long)(TimeSpan.FromSeconds(30).TotalSeconds * _time.TimestampFrequency));
        if (Volatile.Read(ref _current) is { } last)
        {
            var stale = last with { IsStale = true };
            Volatile.Write(ref _current, stale);
            return stale;
        }

        return null;
    }

    /// <summary>Converts OpenRouter's <c>{"data":[...]}</c> to <c>{"object":"list","data":[{"id","object":"model","created","owned_by",...}]}</c>,
    /// keeping OpenRouter's extra fields on each model.</summary>
    internal static byte[]? ToOpenAiList(ReadOnlySpan<byte> upstream)
    {
        if (JsonNode.Parse(upstream) is not JsonObject root || root["data"] is not JsonArray models)
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>(upstream.Length + 1024);
        // The relaxed encoder keeps '+' and '>' literal, as OpenRouter sends them; the body is JSON, never HTML.
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("object"u8, "list"u8);
            writer.WriteStartArray("data"u8);
            foreach (var node in models)
            {
                if (node is not JsonObject model || model["id"]?.GetValueKind() != JsonValueKind.String)
                {
                    continue;
                }

                var id = model["id"]!.GetValue<string>();
                writer.WriteStartObject();
                writer.WriteString("id"u8, id);
                writer.WriteString("object"u8, "model"u8);
                writer.WriteNumber("created"u8, model["created"] is JsonValue created && created.TryGetValue<long>(out var c) ? c : 0);
                var slash = id.IndexOf('/', StringComparison.Ordinal);
                writer.WriteString("owned_by"u8, slash > 0 ? id[..slash] : "openrouter");
                foreach (var (name, value) in model)
                {
                    if (name is "id" or "object" or "created" or "owned_by")
                    {
                        continue;
                    }

                    writer.WritePropertyName(name);
                    if (value is null)
                    {
                        writer.WriteNullValue();
                    }
                    else
                    {
                        value.WriteTo(writer);
                    }
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
