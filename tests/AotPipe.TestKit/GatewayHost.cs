using AotPipe.Configuration;
using AotPipe.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace AotPipe.TestKit;

/// <summary>A real gateway (Kestrel on 127.0.0.1, a free port) built exactly as <c>aotpipe serve</c> builds it.</summary>
public sealed class GatewayHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private string? _ownedDataDirectory;

    private GatewayHost(WebApplication app, GatewaySettings settings)
    {
        _app = app;
        Settings = settings;
    }

    /// <summary>The effective settings.</summary>
    public GatewaySettings Settings { get; }

    /// <summary>Base address, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The application's services.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>Starts a gateway with the given environment (unset settings keep their defaults).</summary>
    public static async Task<GatewayHost> StartAsync(IReadOnlyDictionary<string, string?> environment, Action<IServiceCollection>? configure = null)
    {
        // Each gateway gets its own data directory (embedded store, spill journal) unless the test shares one on purpose.
        string? owned = null;
        if (!environment.TryGetValue("AOTPIPE_DATA_DIR", out var dataDir) || dataDir is null)
        {
            owned = Directory.CreateTempSubdirectory("aotpipe-test-").FullName;
            environment = new Dictionary<string, string?>(environment) { ["AOTPIPE_DATA_DIR"] = owned };
        }

        var settings = GatewaySettings.Load(environment);
        var app = GatewayApplication.Build(settings, "http://127.0.0.1:0", configure);
        await app.StartAsync();
        var host = new GatewayHost(app, settings) { _ownedDataDirectory = owned };
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        host.BaseAddress = new Uri(address);
        return host;
    }

    /// <summary>An environment pointing at <paramref name="mock"/> with a test key, plus overrides.</summary>
    public static Dictionary<string, string?> EnvironmentFor(Mock.MockOpenRouter mock, params (string Name, string? Value)[] overrides)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["OPENROUTER_API_BASE_URL"] = mock.BaseUrl,
            ["OPENROUTER_API_KEY"] = "sk-or-v1-test-0123456789abcdef",
            ["LOG_LEVEL"] = "WARNING",
        };
        foreach (var (name, value) in overrides)
        {
            environment[name] = value;
        }

        return environment;
    }

    /// <summary>A client for the gateway with no timeout (streams are long).</summary>
    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress, Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>Triggers the graceful shutdown path (as SIGTERM does).</summary>
    public Task StopAsync() => _app.StopAsync();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_ownedDataDirectory is not null)
        {
            try
            {
                Directory.Delete(_ownedDataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A file still open by a late background writer; the temp folder is cleaned by the OS.
            }
        }
    }
}
