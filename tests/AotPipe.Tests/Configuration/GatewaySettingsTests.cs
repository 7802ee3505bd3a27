using AotPipe.Cli;
using AotPipe.Configuration;
using AotPipe.Security;
using Xunit;

namespace AotPipe.Tests.Configuration;

public sealed class GatewaySettingsTests
{
    private static Dictionary<string, string?> Env(params (string Name, string? Value)[] values)
    {
        var env = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (name, value) in values)
        {
            env[name] = value;
        }

        return env;
    }

    [Fact]
    public void Defaults_MatchTheContract()
    {
        var settings = GatewaySettings.Load(Env());

        Assert.Equal("https://openrouter.ai/api/v1", settings.OpenRouterBaseUrl);
        Assert.Equal(200, settings.MaxConcurrentRequests);
        Assert.Equal(128L * 1024 * 1024, settings.MaxRequestBodyBytes);
        Assert.Equal(TimeSpan.FromSeconds(300), settings.IdleTimeout);
        Assert.True(settings.EncryptAll);
        Assert.Equal("lz4", settings.ArtifactCompression);
        Assert.Equal(256, settings.DbBatchSize);
        Assert.True(settings.EnableSsrfProtection);
        Assert.True(settings.SendCacheSessionId);
        Assert.Equal("aotpipe", settings.PipeId);
    }

    [Theory]
    [InlineData("MAX_CONCURRENT_REQUESTS", "0")]
    [InlineData("MAX_CONCURRENT_REQUESTS", "ten")]
    [InlineData("ENCRYPT_ALL", "yes")]
    [InlineData("LOG_LEVEL", "verbose")]
    [InlineData("HTTP_SOCK_READ_SECONDS", "-1")]
    [InlineData("OPENROUTER_API_BASE_URL", "ftp://x")]
    [InlineData("ARTIFACT_COMPRESSION", "brotli")]
    [InlineData("ALLOW_INSECURE_HTTP_HOSTS", "a b")]
    public void InvalidValue_ThrowsNamingTheSettingWithoutEchoingIt(string name, string value)
    {
        var ex = Assert.Throws<SettingsException>(() => GatewaySettings.Load(Env((name, value))));

        Assert.Equal(name, ex.SettingName);
        Assert.StartsWith(name, ex.Message);
        Assert.DoesNotContain($"'{value}'", ex.Message);
    }

    [Theory]
    [InlineData("MAX_CONCURRENT_REQUESTS", "1", true)]
    [InlineData("MAX_CONCURRENT_REQUESTS", "0", false)]
    [InlineData("SESSION_LOG_MAX_LINES", "1", true)]
    [InlineData("SESSION_LOG_MAX_LINES", "0", false)]
    [InlineData("MAX_REQUEST_BODY_MB", "4096", true)]
    [InlineData("MAX_REQUEST_BODY_MB", "4096.5", false)]
    public void RangeLimits_AtTheLimitAndOnePast(string name, string value, bool accepted)
    {
        var load = () => GatewaySettings.Load(Env((name, value)));
        if (accepted)
        {
            load();
        }
        else
        {
            Assert.Throws<SettingsException>(load);
        }
    }

    [Theory]
    [InlineData("TRUE", true)]
    [InlineData("1", true)]
    [InlineData("False", false)]
    [InlineData("0", false)]
    public void Booleans_AcceptAnyCaseAndDigits(string text, bool expected)
    {
        Assert.Equal(expected, GatewaySettings.Load(Env(("ENCRYPT_ALL", text))).EncryptAll);
    }

    [Fact]
    public void EncryptedSecret_DecryptedWithWebUiKey()
    {
        var encrypted = EncryptedSecret.Encrypt("sk-or-v1-secret-value", "t0p-secret", TimeProvider.System);

        var settings = GatewaySettings.Load(Env(("WEBUI_SECRET_KEY", "t0p-secret"), ("OPENROUTER_API_KEY", encrypted)));

        Assert.Equal("sk-or-v1-secret-value", settings.OpenRouterApiKey);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("other-key")]
    public void EncryptedSecret_MissingOrWrongKey_StopsStartupNamingTheSetting(string? webuiKey)
    {
        var encrypted = EncryptedSecret.Encrypt("sk-or-v1-secret-value", "t0p-secret", TimeProvider.System);

        var ex = Assert.Throws<SettingsException>(() => GatewaySettings.Load(Env(("WEBUI_SECRET_KEY", webuiKey), ("ARTIFACT_ENCRYPTION_KEY", encrypted))));

        Assert.Equal("ARTIFACT_ENCRYPTION_KEY", ex.SettingName);
        Assert.Contains("WEBUI_SECRET_KEY", ex.Message);
        Assert.DoesNotContain(encrypted[10..30], ex.Message);
        Assert.DoesNotContain("sk-or-v1", ex.Message);
    }

    [Fact]
    public void EncryptedSecret_UnusedFeature_StillFailsStartup()
    {
        // DESIGN.md section 3: an undecryptable secret fails start-up even when its feature is off.
        var encrypted = EncryptedSecret.Encrypt("zip-password", "t0p-secret", TimeProvider.System);

        Assert.Throws<SettingsException>(() => GatewaySettings.Load(Env(("WEBUI_SECRET_KEY", "wrong"), ("SESSION_LOG_ZIP_PASSWORD", encrypted))));
    }

    [Fact]
    public async Task ConfigCommand_MasksEverySecret()
    {
        var env = Env(("OPENROUTER_API_KEY", "sk-or-v1-very-secret"), ("ARTIFACT_ENCRYPTION_KEY", "artifact-key-material-0123456789"), ("DATABASE_URL", "postgresql://u:pw-secret@h/db"), ("PIPE_ID", "my_pipe"));
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var code = await ConfigCommand.RunAsync(env, stdout, stderr);
        var text = stdout.ToString();

        Assert.Equal(0, code);
        Assert.DoesNotContain("very-secret", text);
        Assert.DoesNotContain("artifact-key-material", text);
        Assert.DoesNotContain("pw-secret", text);
        Assert.Contains("OPENROUTER_API_KEY=(set, masked)", text);
        Assert.Contains("PIPE_ID=my_pipe", text);
        Assert.Contains("ENCRYPT_ALL=true (default)", text);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("# aotpipe full edition (PostgreSQL store: yes, Redis cache: yes)", lines[0], StringComparison.Ordinal);
        Assert.Equal(SettingsCatalog.All.Count, lines.Count(line => !line.StartsWith('#')));
    }

    [Fact]
    public async Task ConfigCommand_BadSetting_Exit2()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var code = await ConfigCommand.RunAsync(Env(("DB_BATCH_SIZE", "0")), stdout, stderr);

        Assert.Equal(2, code);
        Assert.Contains("DB_BATCH_SIZE", stderr.ToString());
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080", true)]
    [InlineData("http://localhost:8080;http://[::1]:9000", true)]
    [InlineData("http://0.0.0.0:8080", false)]
    [InlineData("http://+:8080", false)]
    [InlineData("http://127.0.0.1:8080;http://10.0.0.1:8080", false)]
    [InlineData("http://gateway.internal:8080", false)]
    public void LoopbackDetection_ForTheUnauthenticatedSafeDefault(string urls, bool loopback)
    {
        Assert.Equal(loopback, AotPipe.Hosting.ListenAddresses.Parse(urls, "--urls").All(static a => a.IsLoopback));
    }

    [Fact]
    public void NonLoopbackWithoutKeys_Refused_UnlessOptedIn()
    {
        var settings = GatewaySettings.Load(Env());
        Assert.Throws<SettingsException>(() => AotPipe.Hosting.StartupChecks.Run(settings, "http://0.0.0.0:8080"));

        var optedIn = GatewaySettings.Load(Env(("AOTPIPE_ALLOW_UNAUTHENTICATED", "true")));
        AotPipe.Hosting.StartupChecks.Run(optedIn, "http://0.0.0.0:8080");
    }
}
