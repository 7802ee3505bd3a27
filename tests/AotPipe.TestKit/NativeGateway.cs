using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AotPipe.TestKit;

/// <summary>The published native binary (<c>AOTPIPE_BINARY</c>, set by <c>./build.sh test</c>) run as a child process on a
/// free loopback port, for tests that must exercise the binary as shipped.</summary>
public sealed class NativeGateway : IAsyncDisposable
{
    /// <summary>Longest wait for the binary to answer its readiness route.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private string? _ownedDataDirectory;

    private NativeGateway(Process process, int port)
    {
        _process = process;
        Port = port;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The published binary, or null when the test command did not publish one.</summary>
    public static string? Binary => Environment.GetEnvironmentVariable("AOTPIPE_BINARY") is { Length: > 0 } path && File.Exists(path) ? path : null;

    /// <summary>The why-text for <see cref="Prerequisite.Require"/>.</summary>
    public const string Requirement = "AOTPIPE_BINARY (the published native binary; ./build.sh test sets it)";

    /// <summary>The listening port.</summary>
    public int Port { get; }

    /// <summary>The gateway's process id (tests read its threads under /proc).</summary>
    public int ProcessId => _process.Id;

    /// <summary>A client bound to the gateway.</summary>
    public HttpClient Client { get; }

    /// <summary>Everything the process wrote to stdout and stderr so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>A free loopback port (the listener is closed before returning).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts <c>aotpipe serve</c> with <paramref name="environment"/> and waits until <paramref name="readyPath"/>
    /// answers 2xx; fails with the process output when it does not within <see cref="StartTimeout"/>.</summary>
    /// <param name="environment">Variables set for the process.</param>
    /// <param name="readyPath">The route that must answer 2xx.</param>
    /// <param name="binary">Another copy of the binary to run instead of <see cref="Binary"/>.</param>
    public static async Task<NativeGateway> StartAsync(IReadOnlyDictionary<string, string> environment, string readyPath = "/healthz", string? binary = null)
    {
        var gateway = Launch(FreePort(), environment, binary);
        var watch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var ready = await gateway.Client.GetAsync(readyPath);
                if (ready.IsSuccessStatusCode)
                {
                    return gateway;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (gateway._process.HasExited || watch.Elapsed > StartTimeout)
            {
                var output = gateway.Output;
                await gateway.DisposeAsync();
                throw new InvalidOperationException($"aotpipe did not become ready on {readyPath}: {output}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Runs <c>aotpipe serve</c> to its exit (for start-up refusals) and returns the exit code and output;
    /// <paramref name="urls"/> replaces the free loopback port it listens on by default.</summary>
    public static async Task<(int ExitCode, string Output)> RunToExitAsync(IReadOnlyDictionary<string, string> environment, TimeSpan timeout, string? urls = null)
    {
        await using var gateway = Launch(FreePort(), environment, urls: urls);
        using var deadline = new CancellationTokenSource(timeout);
        await gateway._process.WaitForExitAsync(deadline.Token);

        // WaitForExitAsync also waits for the redirected streams to close, so the output is complete here.
        return (gateway._process.ExitCode, gateway.Output);
    }

    /// <summary>Sends SIGTERM, as a container runtime does, and returns the exit code once the process has exited.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var deadline = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(deadline.Token);
        return _process.ExitCode;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
        if (_ownedDataDirectory is not null)
        {
            Directory.Delete(_ownedDataDirectory, recursive: true);
        }
    }

    private static NativeGateway Launch(int port, IReadOnlyDictionary<string, string> environment, string? binary = null, string? urls = null)
    {
        // Each run gets its own data directory (embedded store, spill journal) unless the test names one.
        string? owned = null;
        if (!environment.ContainsKey("AOTPIPE_DATA_DIR"))
        {
            owned = Directory.CreateTempSubdirectory("aotpipe-native-").FullName;
            environment = new Dictionary<string, string>(environment) { ["AOTPIPE_DATA_DIR"] = owned };
        }

        var start = new ProcessStartInfo(binary ?? Binary ?? throw new InvalidOperationException(Requirement), ["serve", "--urls", urls ?? $"http://127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start)!;
        var gateway = new NativeGateway(process, port) { _ownedDataDirectory = owned };

        // Drain both pipes so a chatty gateway can never block on a full pipe.
        process.OutputDataReceived += (_, e) => gateway.Append(e.Data);
        process.ErrorDataReceived += (_, e) => gateway.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return gateway;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
