using System.Net;
using System.Reflection;
using AotPipe.Configuration;
using AotPipe.Hosting;
using AotPipe.Security;
using AotPipe.Security.Egress;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace AotPipe.Cli;

/// <summary>Entry point for every <c>aotpipe</c> subcommand (DESIGN.md section 1).</summary>
public static class GatewayCommandLine
{
    /// <summary>Listen URL when neither <c>--urls</c> nor <c>ASPNETCORE_URLS</c> is given.</summary>
    public const string DefaultUrls = "http://127.0.0.1:8080";

    /// <summary>Exit code for success.</summary>
    public const int ExitOk = 0;

    /// <summary>Exit code for a negative answer (blocked URL, failed check, wrong password).</summary>
    public const int ExitNegative = 1;

    /// <summary>Exit code for bad usage or configuration.</summary>
    public const int ExitUsage = 2;

    private const string Help = """
        aotpipe - native-AOT gateway from OpenAI-compatible clients to OpenRouter's Responses API

        Usage:
          aotpipe [serve] [--urls URL]          run the gateway (default http://127.0.0.1:8080; ASPNETCORE_URLS also works)
          aotpipe config                        print the effective settings, secrets masked
          aotpipe encrypt-secret                read a secret on stdin, print encrypted:... (needs WEBUI_SECRET_KEY)
          aotpipe check-url URL                 run the egress policy on URL: prints allow or block: <reason>
          aotpipe redact                        stdin to stdout with base64 data-URL blobs redacted
          aotpipe session-log extract ZIP [--out DIR]   decrypt a session-log archive
          aotpipe rotate-artifact-key           re-encrypt artifacts from the previous key's table
          aotpipe healthcheck [URL]             GET /healthz; exit 0 healthy, 1 not
          aotpipe --version | --help

        Settings are environment variables; see docs/configuration.md.
        Exit codes: 0 ok, 1 negative answer, 2 bad usage or configuration.
        """;

    /// <summary>Runs the command named by <paramref name="args"/> and returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextReader stdin, Stream stdinStream, Stream stdoutStream, TextWriter stdout, TextWriter stderr)
    {
        var command = args.Length == 0 || args[0].StartsWith("--urls", StringComparison.Ordinal) ? "serve" : args[0];
        var rest = args.Length == 0 || command != args[0] ? args : args[1..];
        switch (command)
        {
            case "--help" or "-h" or "help":
                await stdout.WriteLineAsync(Help);
                return ExitOk;
            case "--version" or "version":
                await stdout.WriteLineAsync("aotpipe " + Version + " (" + BuildEdition.Description + ")");
                return ExitOk;
            case "serve":
                return await ServeAsync(rest, stderr);
            case "config" or "encrypt-secret" or "redact" or "rotate-artifact-key" when rest.Length > 0:
                // Never echoed: a secret pasted as an argument (encrypt-secret reads its secret on stdin) must not reach
                // a terminal log or a container log.
                await stderr.WriteLineAsync($"usage: aotpipe {command} takes no arguments; see aotpipe --help.");
                return ExitUsage;
            case "config":
                return await ConfigCommand.RunAsync(GatewaySettings.SnapshotEnvironment(), stdout, stderr);
            case "encrypt-secret":
                return await EncryptSecretCommand.RunAsync(stdin, stdout, stderr, Environment.GetEnvironmentVariable("WEBUI_SECRET_KEY"), TimeProvider.System);
            case "check-url":
                return await CheckUrlAsync(rest, stdout, stderr);
            case "redact":
                return await RedactCommand.RunAsync(stdinStream, stdoutStream, CancellationToken.None);
            case "session-log":
                return await SessionLogAsync(rest, stdout, stderr);
            case "rotate-artifact-key":
                return await RotateArtifactKeyCommand.RunAsync(GatewaySettings.SnapshotEnvironment(), stdout, stderr, CancellationToken.None);
            case "healthcheck":
                return await HealthcheckAsync(rest, stdout, stderr);
            default:
                await stderr.WriteLineAsync(LooksLikeCommandName(command)
                    ? $"aotpipe: unknown command '{command}'. See aotpipe --help."
                    : "aotpipe: unknown command. See aotpipe --help.");
                return ExitUsage;
        }
    }

    /// <summary>The informational version baked into the assembly.</summary>
    public static string Version =>
        typeof(GatewayCommandLine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>Only a word that could be a mistyped command is echoed; anything else (a key pasted in the wrong place)
    /// stays out of the output.</summary>
    private static bool LooksLikeCommandName(string text) =>
        text.Length is > 0 and <= 32 && text.AsSpan().IndexOfAnyExcept("abcdefghijklmnopqrstuvwxyz-") < 0;

    private static async Task<int> HealthcheckAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var url = args.Length > 0 ? args[0] : DefaultUrls;
        if (args.Length > 1 || !HealthcheckCommand.IsUsableUrl(url))
        {
            await stderr.WriteLineAsync("usage: aotpipe healthcheck [URL]   (URL: the gateway's base, http:// or https://, default " + DefaultUrls + ")");
            return ExitUsage;
        }

        return await HealthcheckCommand.RunAsync(url, stdout);
    }

    private static async Task<int> SessionLogAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length is not (2 or 4) || args[0] != "extract" || (args.Length == 4 && args[2] != "--out"))
        {
            await stderr.WriteLineAsync("usage: aotpipe session-log extract ZIP [--out DIR]");
            return ExitUsage;
        }

        // The password may be stored encrypted:, like every secret setting.
        var raw = Environment.GetEnvironmentVariable("SESSION_LOG_ZIP_PASSWORD");
        var resolution = EncryptedSecret.Resolve("SESSION_LOG_ZIP_PASSWORD", raw, Environment.GetEnvironmentVariable("WEBUI_SECRET_KEY"), out var password);
        if (resolution is not (SecretResolution.Plain or SecretResolution.Decrypted))
        {
            await stderr.WriteLineAsync("aotpipe: configuration error: SESSION_LOG_ZIP_PASSWORD: " + EncryptedSecret.DescribeFailure("SESSION_LOG_ZIP_PASSWORD", resolution));
            return ExitUsage;
        }

        return await SessionLogExtractCommand.RunAsync(args[1], args.Length == 4 ? args[3] : null, password, stdout, stderr);
    }

    private static async Task<int> CheckUrlAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length != 1)
        {
            await stderr.WriteLineAsync("usage: aotpipe check-url URL");
            return ExitUsage;
        }

        GatewaySettings settings;
        try
        {
            settings = GatewaySettings.Load(GatewaySettings.SnapshotEnvironment());
        }
        catch (SettingsException ex)
        {
            await stderr.WriteLineAsync("aotpipe: configuration error: " + ex.Message);
            return ExitUsage;
        }

        // The same guard the gateway uses, with the default listen address counted as the gateway's own.
        EgressPolicy policy;
        try
        {
            policy = IngestionServices.CreatePolicy(settings, EnvironmentUrls(), StartupChecks.UrlsVariable);
        }
        catch (SettingsException ex)
        {
            await stderr.WriteLineAsync("aotpipe: configuration error: " + ex.Message);
            return ExitUsage;
        }

        var guard = new EgressGuard(policy, SystemHostResolver.Instance, TimeProvider.System);
        return await CheckUrlCommand.RunAsync(args[0], guard, stdout, CancellationToken.None);
    }

    private static async Task<int> ServeAsync(string[] args, TextWriter stderr)
    {
        string? urls = null;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--urls" && i + 1 < args.Length)
            {
                urls = args[++i];
            }
            else if (args[i].StartsWith("--urls=", StringComparison.Ordinal))
            {
                urls = args[i]["--urls=".Length..];
            }
            else
            {
                // The position, never the text: a misplaced secret must not reach the container log.
                await stderr.WriteLineAsync($"aotpipe serve: argument {i + 1} is not --urls URL. See aotpipe --help.");
                return ExitUsage;
            }
        }

        var urlsSource = "--urls";
        if (urls is null)
        {
            urlsSource = StartupChecks.UrlsVariable;
            urls = EnvironmentUrls();
        }

        // The first hash (the artifact table name) loads and initialises OpenSSL, the largest step left between main and
        // listening; starting it on another core now overlaps it with reading settings and building the host
        // (perf-reports/footprint.md).
        _ = Task.Run(static () => System.Security.Cryptography.SHA256.HashData(ReadOnlySpan<byte>.Empty));
        WebApplication app;
        try
        {
            var settings = GatewaySettings.Load(GatewaySettings.SnapshotEnvironment());
            StartupChecks.Run(settings, urls, urlsSource);
            app = GatewayApplication.Build(settings, urls);
        }
        catch (SettingsException ex)
        {
            await stderr.WriteLineAsync("aotpipe: configuration error: " + ex.Message);
            return ExitUsage;
        }

        await using (app)
        {
            try
            {
                await app.StartAsync();
            }
            catch (IOException ex)
            {
                // Kestrel could not bind (address in use, not an address of this host, a privileged port): the listen
                // address is unusable as configured. The message names the address, which is not a secret.
                await stderr.WriteLineAsync($"aotpipe: configuration error: {urlsSource}: cannot listen: {ex.Message}");
                return ExitUsage;
            }

            await app.WaitForShutdownAsync();
        }

        return ExitOk;
    }

    /// <summary>The listen URLs when <c>--urls</c> is not given: <c>ASPNETCORE_URLS</c>, else the default.</summary>
    private static string EnvironmentUrls() =>
        Environment.GetEnvironmentVariable(StartupChecks.UrlsVariable) is { Length: > 0 } fromEnv ? fromEnv : DefaultUrls;
}
