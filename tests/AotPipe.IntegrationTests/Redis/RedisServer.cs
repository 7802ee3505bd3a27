using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using AotPipe.TestKit;

namespace AotPipe.IntegrationTests.Redis;

/// <summary>A throwaway redis-server child process on a free loopback port, without persistence; killed by PID on dispose.</summary>
internal sealed class RedisServer : IAsyncDisposable
{
    public const string Binary = "/usr/bin/redis-server";

    private readonly Process _process;

    private RedisServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string Url => "redis://127.0.0.1:" + Port;

    /// <summary>Starts the server (skips locally, fails under CI=true, when redis-server is missing).</summary>
    public static async Task<RedisServer> StartAsync()
    {
        Prerequisite.Require(File.Exists(Binary), Binary + " (apt-get install -y redis-server)");
        var port = FreePort();
        var info = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["--save", string.Empty, "--appendonly", "no", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1"])
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info)!;
        process.OutputDataReceived += static (_, _) => { };
        process.ErrorDataReceived += static (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new RedisServer(process, port);
        for (var attempt = 0; attempt < 400; attempt++)
        {
            if (await server.PingAsync())
            {
                return server;
            }

            await Task.Delay(10);
        }

        await server.DisposeAsync();
        throw new InvalidOperationException("redis-server did not answer PING on port " + port);
    }

    /// <summary>Stops the server now (SIGKILL), as a crash would.</summary>
    public async Task StopAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>Makes the server stop answering every client for <paramref name="duration"/> (CLIENT PAUSE ALL), over a
    /// raw connection that is closed without waiting for the pause to end.</summary>
    public async Task PauseAsync(TimeSpan duration)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("CLIENT PAUSE " + (long)duration.TotalMilliseconds + " ALL\r\n"));
        var buffer = new byte[16];
        var read = await stream.ReadAsync(buffer);
        if (!Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+OK", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("CLIENT PAUSE failed");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task<bool> PingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
