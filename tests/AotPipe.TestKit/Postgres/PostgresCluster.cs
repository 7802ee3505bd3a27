using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace AotPipe.TestKit.Postgres;

/// <summary>
/// A throwaway PostgreSQL 15 cluster: initdb + pg_ctl run as the <c>postgres</c> OS user (PostgreSQL refuses root) in a
/// temp directory that user owns, listening on 127.0.0.1 only, on a free port, with its Unix socket inside the directory.
/// <c>AOTPIPE_TEST_PG</c> (a connection string) replaces it with an existing server (then Stop/Start are unavailable).
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    /// <summary>Where Debian puts the PostgreSQL 15 server binaries.</summary>
    public const string BinDirectory = "/usr/lib/postgresql/15/bin";

    /// <summary>Environment variable with a connection string that replaces the throwaway cluster.</summary>
    public const string OverrideVariable = "AOTPIPE_TEST_PG";

    private const string OsUser = "postgres";

    private readonly string? _root;
    private int _port;

    private PostgresCluster(string connectionString, string? root, int port)
    {
        ConnectionString = connectionString;
        _root = root;
        _port = port;
    }

    /// <summary>Connection string to the <c>postgres</c> database.</summary>
    public string ConnectionString { get; private set; }

    /// <summary>True when this object started the cluster and so can stop and restart it.</summary>
    public bool IsOwned => _root is not null;

    /// <summary>Loopback TCP port.</summary>
    public int Port => _port;

    /// <summary>True while the postmaster recorded in the data directory is alive.</summary>
    public bool IsRunning => PostmasterPid() is { } pid && ProcessExists(pid);

    private string DataDirectory => Path.Combine(_root!, "data");

    private string SocketDirectory => Path.Combine(_root!, "sock");

    private string LogFile => Path.Combine(_root!, "postgres.log");

    /// <summary>Why the cluster cannot start here (binaries or runuser missing), or null when it can.</summary>
    public static string? MissingPrerequisite()
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(OverrideVariable)))
        {
            return null;
        }

        if (!File.Exists(Path.Combine(BinDirectory, "initdb")) || !File.Exists(Path.Combine(BinDirectory, "pg_ctl")))
        {
            return $"PostgreSQL 15 binaries not found in {BinDirectory}";
        }

        return File.Exists("/usr/sbin/runuser") || File.Exists("/sbin/runuser") || File.Exists("/usr/bin/runuser")
            ? null
            : "runuser not found";
    }

    /// <summary>Starts a fresh cluster (or wraps <c>AOTPIPE_TEST_PG</c>).</summary>
    public static async Task<PostgresCluster> CreateAsync(CancellationToken cancellationToken = default)
    {
        var external = Environment.GetEnvironmentVariable(OverrideVariable);
        if (!string.IsNullOrEmpty(external))
        {
            return new PostgresCluster(external, null, new NpgsqlConnectionStringBuilder(external).Port);
        }

        var root = Directory.CreateTempSubdirectory("aotpipe-pg-").FullName;
        Directory.CreateDirectory(Path.Combine(root, "sock"));
        await RunAsync("chown", ["-R", OsUser + ":" + OsUser, root], cancellationToken);
        await RunAsync("runuser", ["-u", OsUser, "--", Path.Combine(BinDirectory, "initdb"), "-D", Path.Combine(root, "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"], cancellationToken);
        var cluster = new PostgresCluster(string.Empty, root, 0);
        try
        {
            // A port picked free can be taken before the server binds it; try a few.
            for (var attempt = 1; ; attempt++)
            {
                cluster._port = FreePort();
                cluster.ConnectionString = new NpgsqlConnectionStringBuilder
                {
                    Host = "127.0.0.1",
                    Port = cluster._port,
                    Username = "postgres",
                    Database = "postgres",
                    Pooling = true,
                }.ConnectionString;
                try
                {
                    await cluster.StartAsync(cancellationToken);
                    return cluster;
                }
                catch (InvalidOperationException) when (attempt < 3)
                {
                }
            }
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>(Re)starts the server on the same port and data directory; waits until it accepts connections.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        EnsureOwned();
        var options = string.Join(' ',
            "-p", _port.ToString(CultureInfo.InvariantCulture),
            "-k", SocketDirectory,
            "-c", "listen_addresses=127.0.0.1",
            "-c", "max_connections=200",
            "-c", "shared_buffers=32MB");
        return RunAsync("runuser", ["-u", OsUser, "--", Path.Combine(BinDirectory, "pg_ctl"), "-D", DataDirectory, "-l", LogFile, "-w", "-t", "60", "-o", options, "start"], cancellationToken);
    }

    /// <summary>Stops the server. <paramref name="immediate"/> kills it without a checkpoint, like a crash.</summary>
    public Task StopAsync(bool immediate = false, CancellationToken cancellationToken = default)
    {
        EnsureOwned();
        return RunAsync("runuser", ["-u", OsUser, "--", Path.Combine(BinDirectory, "pg_ctl"), "-D", DataDirectory, "-m", immediate ? "immediate" : "fast", "-w", "-t", "60", "stop"], cancellationToken);
    }

    /// <summary>Creates a database with a unique name and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(CancellationToken cancellationToken = default)
    {
        var name = "t_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>A PIPE_ID no other test uses, so each test gets its own artifact table.</summary>
    public static string UniquePipeId(string prefix = "t") => prefix + "_" + Guid.NewGuid().ToString("N")[..12];

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_root is null)
        {
            return;
        }

        try
        {
            if (IsRunning)
            {
                await StopAsync(immediate: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Fall through: kill only the postmaster this cluster started, by its recorded PID.
            if (PostmasterPid() is { } pid && ProcessExists(pid))
            {
                using var process = Process.GetProcessById(pid);
                process.Kill(entireProcessTree: true);
            }
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private int? PostmasterPid()
    {
        var pidFile = Path.Combine(DataDirectory, "postmaster.pid");
        try
        {
            var first = File.ReadLines(pidFile).FirstOrDefault();
            return int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static bool ProcessExists(int pid) => Directory.Exists("/proc/" + pid.ToString(CultureInfo.InvariantCulture));

    private void EnsureOwned()
    {
        if (_root is null)
        {
            throw new InvalidOperationException($"The server comes from {OverrideVariable}; it cannot be stopped or started here.");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string fileName, string[] arguments, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start " + fileName);
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} exited {process.ExitCode}: {await stdout}{await stderr}");
        }
    }
}
