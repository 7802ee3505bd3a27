using AotPipe.Configuration;
using AotPipe.Hosting;
using Xunit;

namespace AotPipe.Tests.Hosting;

public sealed class StartupChecksTests
{
    private static GatewaySettings Settings(params (string Name, string? Value)[] values)
    {
        var env = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (name, value) in values)
        {
            env[name] = value;
        }

        return GatewaySettings.Load(env);
    }

    [Fact]
    public void LeanEdition_DatabaseUrlSet_FailsNamingTheSetting()
    {
        var settings = Settings(("DATABASE_URL", "postgres://u:pw-secret@127.0.0.1/db"));

        var error = Assert.Throws<SettingsException>(() => StartupChecks.CheckEdition(settings, postgreSqlSupported: false, redisSupported: false));

        Assert.Equal("DATABASE_URL", error.SettingName);
        Assert.StartsWith("DATABASE_URL: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("without PostgreSQL support", error.Message, StringComparison.Ordinal);
        Assert.Contains("full edition", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("pw-secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LeanEdition_RedisUrlSet_FailsNamingTheSetting()
    {
        var settings = Settings(("REDIS_URL", "redis://:pw-secret@127.0.0.1:6379"));

        var error = Assert.Throws<SettingsException>(() => StartupChecks.CheckEdition(settings, postgreSqlSupported: false, redisSupported: false));

        Assert.Equal("REDIS_URL", error.SettingName);
        Assert.Contains("without the Redis read cache", error.Message, StringComparison.Ordinal);
        Assert.Contains("full edition", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("pw-secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LeanEdition_BothSet_NamesDatabaseUrlFirst()
    {
        var settings = Settings(("DATABASE_URL", "postgres://u@127.0.0.1/db"), ("REDIS_URL", "redis://127.0.0.1:6379"));

        var error = Assert.Throws<SettingsException>(() => StartupChecks.CheckEdition(settings, postgreSqlSupported: false, redisSupported: false));

        Assert.Equal("DATABASE_URL", error.SettingName);
    }

    [Fact]
    public void LeanEdition_NeitherSet_Starts()
    {
        StartupChecks.CheckEdition(Settings(), postgreSqlSupported: false, redisSupported: false);
    }

    [Fact]
    public void FullEdition_BothSet_NoError()
    {
        var settings = Settings(("DATABASE_URL", "postgres://u@127.0.0.1/db"), ("REDIS_URL", "redis://127.0.0.1:6379"));

        StartupChecks.CheckEdition(settings, postgreSqlSupported: true, redisSupported: true);
    }

    [Fact]
    public void OnlyRedisOff_DatabaseUrlAllowed_RedisUrlRefused()
    {
        StartupChecks.CheckEdition(Settings(("DATABASE_URL", "postgres://u@127.0.0.1/db")), postgreSqlSupported: true, redisSupported: false);

        var error = Assert.Throws<SettingsException>(() => StartupChecks.CheckEdition(Settings(("REDIS_URL", "redis://127.0.0.1:6379")), postgreSqlSupported: true, redisSupported: false));
        Assert.Equal("REDIS_URL", error.SettingName);
    }

    [Fact]
    public void Run_InTheTestHost_IsTheFullEdition()
    {
        // The test host sets no feature switch: DATABASE_URL and REDIS_URL pass the edition check.
        StartupChecks.Run(Settings(("DATABASE_URL", "postgres://u@127.0.0.1/db"), ("REDIS_URL", "redis://127.0.0.1:6379")), "http://127.0.0.1:8080");

        Assert.Equal("full", BuildEdition.Name);
    }

    [Theory]
    [InlineData(true, true, "full edition (PostgreSQL store: yes, Redis cache: yes)")]
    [InlineData(false, false, "lean edition (PostgreSQL store: no, Redis cache: no)")]
    [InlineData(true, false, "custom edition (PostgreSQL store: yes, Redis cache: no)")]
    public void EditionDescription_NamesWhatTheBuildContains(bool postgreSql, bool redis, string expected)
    {
        Assert.Equal(expected, BuildEdition.DescribeFor(postgreSql, redis));
    }
}
