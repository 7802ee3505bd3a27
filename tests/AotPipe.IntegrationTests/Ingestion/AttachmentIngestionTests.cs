using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using AotPipe.IntegrationTests.ChatCompletions;
using AotPipe.Security.Egress;
using AotPipe.TestKit;
using AotPipe.TestKit.Mock;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace AotPipe.IntegrationTests.Ingestion;

/// <summary>Remote attachments through the real gateway: names resolve through a fake resolver and every connection
/// goes to a loopback image server, so no test ever uses real DNS or leaves the machine.</summary>
public sealed class AttachmentIngestionTests : IAsyncLifetime
{
    // A 1x1 PNG.
    private static readonly byte[] s_png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

    private WebApplication _images = null!;
    private MockOpenRouter _mock = null!;
    private GatewayHost _gateway = null!;
    private readonly FakeResolver _resolver = new();
    private LoopbackOnlyConnector _connector = null!;

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _images = builder.Build();
        _images.MapGet("/cat.png", () => Results.Bytes(s_png, "image/png"));
        await _images.StartAsync();
        var port = new Uri(_images.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        _connector = new LoopbackOnlyConnector(port);

        _mock = await MockOpenRouter.StartAsync();
        _gateway = await GatewayHost.StartAsync(
            GatewayHost.EnvironmentFor(_mock, ("ALLOW_INSECURE_HTTP", "true"), ("ALLOW_INSECURE_HTTP_HOSTS", "images.test,private.test")),
            services =>
            {
                services.AddSingleton<IHostResolver>(_resolver);
                services.AddSingleton<IEgressConnector>(_connector);
            });
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _mock.DisposeAsync();
        await _images.DisposeAsync();
    }

    private static StringContent ChatWithImage(string url) => new(
        """{"model":"mock/stream-text-basic","stream":true,"messages":[{"role":"user","content":[{"type":"text","text":"what is this?"},{"type":"image_url","image_url":{"url":"URL"}}]}]}""".Replace("URL", url, StringComparison.Ordinal),
        Encoding.UTF8,
        "application/json");

    private JsonArray SentContent()
    {
        var sent = JsonNode.Parse(Assert.Single(_mock.RequestsTo("/responses")).Body)!;
        return sent["input"]!.AsArray().Last()!["content"]!.AsArray();
    }

    [Fact]
    public async Task RemoteImage_ArrivesUpstreamAsDataUrl()
    {
        using var client = _gateway.CreateClient();

        var sse = await (await client.PostAsync("/v1/chat/completions", ChatWithImage("http://images.test/cat.png"))).Content.ReadAsStringAsync();

        var image = SentContent().Single(p => p!["type"]!.GetValue<string>() == "input_image")!;
        Assert.Equal("data:image/png;base64," + Convert.ToBase64String(s_png), image["image_url"]!.GetValue<string>());
        Assert.DoesNotContain("attachment removed", sse);
        Assert.Equal(IPAddress.Parse("93.184.216.34"), Assert.Single(_connector.Requested).Address);
    }

    [Fact]
    public async Task PrivateAddress_ImageDropped_ModelToldAndClientNotified()
    {
        using var client = _gateway.CreateClient();

        var sse = await (await client.PostAsync("/v1/chat/completions", ChatWithImage("http://private.test/cat.png"))).Content.ReadAsStringAsync();
        var parsed = ChatCompletionsTests.ParseChunks(sse);

        var content = SentContent();
        Assert.DoesNotContain(content, p => p!["type"]!.GetValue<string>() == "input_image");
        Assert.DoesNotContain("http://private.test/cat.png", Assert.Single(_mock.RequestsTo("/responses")).BodyText);
        Assert.StartsWith("> ⚠ attachment removed: ", parsed.Content);
        Assert.Contains("private-address", parsed.Content);
        Assert.Empty(_connector.Requested);
    }

    private sealed class FakeResolver : IHostResolver
    {
        public ValueTask<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) => host switch
        {
            "images.test" => ValueTask.FromResult(new[] { IPAddress.Parse("93.184.216.34") }),
            "private.test" => ValueTask.FromResult(new[] { IPAddress.Parse("10.0.0.5") }),
            _ => throw new SocketException((int)SocketError.HostNotFound),
        };
    }

    private sealed class LoopbackOnlyConnector(int port) : IEgressConnector
    {
        public ConcurrentQueue<IPEndPoint> Requested { get; } = new();

        public async ValueTask<Stream> ConnectAsync(IPEndPoint endpoint, CancellationToken cancellationToken)
        {
            Requested.Enqueue(endpoint);
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
    }
}
