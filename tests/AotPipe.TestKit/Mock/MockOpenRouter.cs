using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AotPipe.TestKit.Mock;

/// <summary>A loopback OpenRouter that replays the recorded fixtures, with faults, delays, chunking and a request log.</summary>
/// <remarks>
/// Fixture choice comes from the request's <c>model</c>: <c>mock/&lt;fixture&gt;</c> picks
/// <c>responses/&lt;fixture&gt;.sse</c>; the catalog's real model names map to their recorded stream; <c>mock/gen-N-MS</c>
/// generates N text deltas every MS milliseconds with OpenRouter-like keep-alives (bench mode). <c>stream:false</c>
/// answers <c>response-nonstream.json</c>.
/// </remarks>
public sealed class MockOpenRouter : IAsyncDisposable
{
    private static readonly Dictionary<string, string> s_modelFixtures = new(StringComparer.Ordinal)
    {
        ["meta-llama/llama-3.3-70b-instruct"] = "stream-text-basic",
        ["openai/gpt-5.2"] = "stream-reasoning-summary",
        ["anthropic/claude-sonnet-4.6"] = "stream-reasoning-text-anthropic",
        ["deepseek/deepseek-v4-pro"] = "stream-crlf-processing-comments",
    };

    private readonly WebApplication _app;
    private readonly string _fixtureDirectory;
    private int _resetsBeforeHeaders;

    private MockOpenRouter(WebApplication app, string fixtureDirectory)
    {
        _app = app;
        _fixtureDirectory = fixtureDirectory;
    }

    /// <summary>The upstream base URL to configure as <c>OPENROUTER_API_BASE_URL</c>.</summary>
    public string BaseUrl { get; private set; } = string.Empty;

    /// <summary>Mutable fault and timing behaviour.</summary>
    public MockBehavior Behavior { get; } = new();

    /// <summary>Every request received, in order.</summary>
    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>Completes with the time a streaming response noticed its client (the gateway) went away.</summary>
    public ConcurrentQueue<DateTimeOffset> ClientAborts { get; } = new();

    /// <summary>Raised when a streaming response sees its client go away.</summary>
    public event Action? ClientAborted;

    /// <summary>Starts on <paramref name="urls"/> (default: a free loopback port).</summary>
    public static async Task<MockOpenRouter> StartAsync(string urls = "http://127.0.0.1:0", string? fixtureDirectory = null, bool logToConsole = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(urls);
        builder.Logging.ClearProviders();
        if (logToConsole)
        {
            builder.Logging.AddSimpleConsole();
        }

        var app = builder.Build();
        var mock = new MockOpenRouter(app, fixtureDirectory ?? Fixtures.OpenRouterDirectory);
        app.MapPost("/api/v1/responses", mock.HandleResponsesAsync);
        app.MapPost("/api/v1/chat/completions", mock.HandleChatAsync);
        app.MapGet("/api/v1/models", mock.HandleModelsAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        mock.BaseUrl = address.TrimEnd('/') + "/api/v1";
        return mock;
    }

    /// <summary>Requests received on one path.</summary>
    public IReadOnlyList<RecordedRequest> RequestsTo(string path) => Requests.Where(r => r.Path.EndsWith(path, StringComparison.Ordinal)).ToList();

    /// <summary>Makes the next <paramref name="count"/> requests fail with a connection reset before any header.</summary>
    public void ResetBeforeHeaders(int count) => Interlocked.Exchange(ref _resetsBeforeHeaders, count);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task<RecordedRequest> RecordAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var recorded = new RecordedRequest(context.Request.Method, context.Request.Path.Value ?? string.Empty, headers, body.ToArray())
        {
            ConnectionId = context.Connection.Id,
        };
        Requests.Enqueue(recorded);
        return recorded;
    }

    private async Task HandleResponsesAsync(HttpContext context)
    {
        var request = await RecordAsync(context);
        if (Interlocked.Decrement(ref _resetsBeforeHeaders) >= 0)
        {
            context.Abort();
            return;
        }

        Interlocked.Exchange(ref _resetsBeforeHeaders, 0);
        if (Behavior.HeadersDelay > TimeSpan.Zero)
        {
            await DelayAsync(Behavior.HeadersDelay, context.RequestAborted);
        }

        if (Behavior.FailWithStatus is { } status)
        {
            await WriteErrorAsync(context, status);
            return;
        }

        using var json = JsonDocument.Parse(request.Body);
        var root = json.RootElement;
        var model = root.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : string.Empty;
        var stream = root.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;
        if (!stream)
        {
            context.Response.ContentType = "application/json";
            await context.Response.Body.WriteAsync(File.ReadAllBytes(Path.Combine(_fixtureDirectory, "responses", "response-nonstream.json")));
            return;
        }

        IReadOnlyList<byte[]> events;
        if (model.StartsWith("mock/gen-", StringComparison.Ordinal))
        {
            events = GeneratedStream.Create(model);
        }
        else
        {
            var fixture = model.StartsWith("mock/", StringComparison.Ordinal) ? model["mock/".Length..]
                : s_modelFixtures.GetValueOrDefault(model, "stream-text-basic");
            events = Fixtures.SplitEvents(File.ReadAllBytes(Path.Combine(_fixtureDirectory, "responses", fixture + ".sse")));
        }

        await StreamEventsAsync(context, events, model.StartsWith("mock/gen-", StringComparison.Ordinal) ? GeneratedStream.IntervalOf(model) : Behavior.EventDelay);
    }

    private async Task StreamEventsAsync(HttpContext context, IReadOnlyList<byte[]> events, TimeSpan delay)
    {
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        var generationId = FindGenerationId(events);
        if (generationId is not null)
        {
            response.Headers["X-Generation-Id"] = generationId;
        }

        var aborted = context.RequestAborted;
        using var registration = aborted.Register(() =>
        {
            ClientAborts.Enqueue(DateTimeOffset.UtcNow);
            ClientAborted?.Invoke();
        });

        await response.StartAsync(aborted);
        var random = Behavior.ChunkSeed is { } seed ? new Random(seed) : null;
        var limit = Behavior.TruncateAfterEvents ?? events.Count;
        try
        {
            for (var i = 0; i < events.Count && i < limit; i++)
            {
                if (Behavior.StallAfterEvents == i)
                {
                    await Task.Delay(Timeout.Infinite, aborted);
                }

                if (Behavior.ResetAfterEvents == i)
                {
                    await response.Body.FlushAsync(aborted);

                    // Abort sends an RST that can overtake bytes still queued in the transport; give them a moment to
                    // leave so the gateway sees N events and then the reset, not a reset before the headers.
                    await Task.Delay(100, aborted);
                    context.Abort();
                    return;
                }

                if (delay > TimeSpan.Zero && i > 0)
                {
                    await DelayAsync(delay, aborted);
                }

                var bytes = events[i];
                if (random is null)
                {
                    await response.Body.WriteAsync(bytes, aborted);
                    await response.Body.FlushAsync(aborted);
                }
                else
                {
                    var offset = 0;
                    while (offset < bytes.Length)
                    {
                        var size = Math.Min(bytes.Length - offset, random.Next(1, 64));
                        await response.Body.WriteAsync(bytes.AsMemory(offset, size), aborted);
                        await response.Body.FlushAsync(aborted);
                        offset += size;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The gateway went away; ClientAborts recorded when.
        }
    }

    private async Task HandleChatAsync(HttpContext context)
    {
        await RecordAsync(context);
        context.Response.ContentType = "text/event-stream";
        await context.Response.Body.WriteAsync(File.ReadAllBytes(Path.Combine(_fixtureDirectory, "chat-completions", "openrouter-native-chat-stream.sse")));
    }

    private async Task HandleModelsAsync(HttpContext context)
    {
        await RecordAsync(context);
        if (Behavior.FailWithStatus is { } status)
        {
            await WriteErrorAsync(context, status);
            return;
        }

        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(File.ReadAllBytes(Path.Combine(_fixtureDirectory, "models.json")));
    }

    private async Task WriteErrorAsync(HttpContext context, int status)
    {
        using var http = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(_fixtureDirectory, "errors", "http.json")));
        var file = status + "-error.json";
        Dictionary<string, string> headers = [];
        foreach (var entry in EnumerateEntries(http.RootElement))
        {
            if (entry.Status == status)
            {
                file = entry.File;
                headers = entry.Headers;
                break;
            }
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        foreach (var (name, value) in headers)
        {
            if (!name.Equals("content-type", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.Headers[name] = value;
            }
        }

        var path = Path.Combine(_fixtureDirectory, "errors", file);
        var body = File.Exists(path) ? File.ReadAllBytes(path) : Encoding.UTF8.GetBytes($"{{\"error\":{{\"message\":\"mock {status}\",\"code\":{status}}}}}");
        await context.Response.Body.WriteAsync(body);
    }

    private static IEnumerable<(string File, int Status, Dictionary<string, string> Headers)> EnumerateEntries(JsonElement root)
    {
        // http.json maps each error file to its status and headers under "files".
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("files", out var files))
        {
            root = files;
        }

        if (root.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in root.EnumerateObject())
            {
                if (property.Value.ValueKind == JsonValueKind.Object && property.Value.TryGetProperty("status", out var st) && st.ValueKind == JsonValueKind.Number)
                {
                    yield return (property.Name, st.GetInt32(), ReadHeaders(property.Value));
                }
            }
        }
        else if (root.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in root.EnumerateArray())
            {
                if (item.TryGetProperty("file", out var f) && item.TryGetProperty("status", out var st))
                {
                    yield return (f.GetString()!, st.GetInt32(), ReadHeaders(item));
                }
            }
        }
    }

    private static Dictionary<string, string> ReadHeaders(JsonElement entry)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (entry.TryGetProperty("headers", out var h) && h.ValueKind == JsonValueKind.Object)
        {
            foreach (var header in h.EnumerateObject())
            {
                headers[header.Name] = header.Value.ValueKind == JsonValueKind.String ? header.Value.GetString()! : header.Value.GetRawText();
            }
        }

        return headers;
    }

    private static string? FindGenerationId(IReadOnlyList<byte[]> events)
    {
        foreach (var e in events)
        {
            var text = Encoding.UTF8.GetString(e);
            var at = text.IndexOf("\"id\":\"gen-", StringComparison.Ordinal);
            if (at >= 0)
            {
                var start = at + 6;
                var end = text.IndexOf('"', start);
                return text[start..end];
            }
        }

        return null;
    }

    private static Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken) => Task.Delay(delay, cancellationToken);
}
