using System.Net;
using System.Net.Http.Headers;
using AotPipe.Configuration;
using AotPipe.Upstream.Raw;

namespace AotPipe.Upstream;

/// <summary>The one pooled HTTP client for OpenRouter: <c>/responses</c> and <c>/models</c>.</summary>
/// <remarks>
/// One <see cref="SocketsHttpHandler"/> for the process (HTTP/1.1 and HTTP/2, pooled connections) behind an
/// <see cref="HttpMessageInvoker"/>, so there is no per-request client and no total timeout: streams are bounded by the
/// relay's idle timer instead (SECURITY.md 5.2 item 5). Proxy variables are honoured for the upstream only.
/// </remarks>
public sealed class OpenRouterClient : IDisposable
{
    private static readonly MediaTypeHeaderValue s_json = new("application/json");
    private static readonly MediaTypeWithQualityHeaderValue s_acceptSse = new("text/event-stream");
    private static readonly MediaTypeWithQualityHeaderValue s_acceptJson = new("application/json");

    private readonly HttpMessageInvoker _invoker;
    private readonly GatewaySettings _settings;
    private readonly Uri _responsesUri;
    private readonly Uri _modelsUri;
    private readonly RawHttpClient? _raw;
    private readonly List<KeyValuePair<string, string>> _identityHeaders;

    /// <summary>Creates the client from settings; <paramref name="handler"/> replaces the socket handler in tests.</summary>
    public OpenRouterClient(GatewaySettings settings, HttpMessageHandler? handler = null)
    {
        _settings = settings;
        _responsesUri = new Uri(settings.OpenRouterBaseUrl + "/responses");
        _modelsUri = new Uri(settings.OpenRouterBaseUrl + "/models");
        _invoker = new HttpMessageInvoker(handler ?? CreateHandler(settings), disposeHandler: true);

        // Streaming POSTs bypass HttpClient's body stack (perf-reports/relay.md) unless a test handler, a proxy or an
        // unusual URL or header value asks for HttpClient.
        _identityHeaders = IdentityHeaders(settings);
        _raw = handler is null ? RawHttpClient.TryCreate(_responsesUri, _identityHeaders, settings.ConnectTimeout, Environment.GetEnvironmentVariable, TimeProvider.System) : null;
    }

    /// <summary>Whether an upstream key is configured.</summary>
    public bool HasApiKey => !string.IsNullOrEmpty(_settings.OpenRouterApiKey);

    /// <summary>Sends a Responses request; the response is returned as soon as its headers arrive.</summary>
    public Task<HttpResponseMessage> SendResponsesAsync(ReadOnlyMemory<byte> body, bool stream, CancellationToken cancellationToken)
    {
        if (stream && _raw is not null)
        {
            return _raw.SendAsync(body, cancellationToken);
        }

        var request = new HttpRequestMessage(HttpMethod.Post, _responsesUri)
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrHigher,
            Content = new ReadOnlyMemoryContent(body),
        };
        request.Content.Headers.ContentType = s_json;
        request.Headers.Accept.Add(stream ? s_acceptSse : s_acceptJson);
        AddIdentityHeaders(request);
        return _invoker.SendAsync(request, cancellationToken);
    }

    /// <summary>Fetches the model catalog.</summary>
    public Task<HttpResponseMessage> GetModelsAsync(CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, _modelsUri) { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionOrHigher };
        request.Headers.Accept.Add(s_acceptJson);
        AddIdentityHeaders(request);
        return _invoker.SendAsync(request, cancellationToken);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _raw?.Dispose();
        _invoker.Dispose();
    }

    // One list feeds both the raw client and HttpClient requests, so the two can never send different identities.
    private static List<KeyValuePair<string, string>> IdentityHeaders(GatewaySettings settings)
    {
        List<KeyValuePair<string, string>> headers =
        [
            new("Authorization", "Bearer " + settings.OpenRouterApiKey),
            new("X-OpenRouter-Title", settings.AppTitle),
        ];
        if (settings.HttpReferer is { } referer)
        {
            headers.Add(new("HTTP-Referer", referer));
        }

        return headers;
    }

    private void AddIdentityHeaders(HttpRequestMessage request)
    {
        foreach (var (name, value) in _identityHeaders)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
    }

    private static SocketsHttpHandler CreateHandler(GatewaySettings settings) => new()
    {
        ConnectTimeout = settings.ConnectTimeout,
        PooledConnectionIdleTimeout = RawHttpClient.IdleTimeout,
        PooledConnectionLifetime = RawHttpClient.ConnectionLifetime,
        AutomaticDecompression = DecompressionMethods.None,
        AllowAutoRedirect = false,
        UseCookies = false,
        EnableMultipleHttp2Connections = true,
        MaxResponseHeadersLength = 64,
    };
}
