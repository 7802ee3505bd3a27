using AotPipe.Persistence;
using Npgsql;
using Xunit;

namespace AotPipe.Tests.Persistence;

public sealed class DatabaseUrlTests
{
    [Fact]
    public void TryParse_OpenWebUiUrl()
    {
        Assert.True(DatabaseUrl.TryParse("postgresql://webui:s%40cret@db.internal:6543/openwebui?sslmode=require", out var b, out _));
        Assert.Equal("db.internal", b.Host);
        Assert.Equal(6543, b.Port);
        Assert.Equal("webui", b.Username);
        Assert.Equal("s@cret", b.Password);
        Assert.Equal("openwebui", b.Database);
        Assert.Equal(SslMode.Require, b.SslMode);
    }

    [Theory]
    [InlineData("postgres://u:p@127.0.0.1/db")]
    [InlineData("postgresql+psycopg2://u:p@127.0.0.1/db")]
    [InlineData("POSTGRESQL://u:p@127.0.0.1/db")]
    public void TryParse_SchemeVariants_DefaultPort(string url)
    {
        Assert.True(DatabaseUrl.TryParse(url, out var b, out _));
        Assert.Equal("127.0.0.1", b.Host);
        Assert.Equal(DatabaseUrl.DefaultPort, b.Port);
        Assert.Equal("db", b.Database);
    }

    [Fact]
    public void TryParse_Ipv6AndQueryParameters()
    {
        Assert.True(DatabaseUrl.TryParse("postgresql://u@[::1]:5433/db?connect_timeout=7&application_name=aot%20pipe", out var b, out _));
        Assert.Equal("::1", b.Host);
        Assert.Equal(5433, b.Port);
        Assert.Equal(7, b.Timeout);
        Assert.Equal("aot pipe", b.ApplicationName);
        Assert.Null(b.Password);
    }

    [Fact]
    public void TryParse_UnixSocketHostParameter()
    {
        Assert.True(DatabaseUrl.TryParse("postgresql://u@/db?host=/var/run/postgresql", out var b, out _));
        Assert.Equal("/var/run/postgresql", b.Host);
    }

    [Fact]
    public void TryParse_KeywordString()
    {
        Assert.True(DatabaseUrl.TryParse("Host=127.0.0.1;Port=5432;Username=u;Password=p;Database=d", out var b, out _));
        Assert.Equal("d", b.Database);
    }

    [Theory]
    [InlineData("mysql://u:hunter2@h/db")]
    [InlineData("postgresql://u:hunter2@h/db?sslmode=sometimes")]
    [InlineData("postgresql://u:hunter2@h/db?frobnicate=1")]
    [InlineData("Host=h;Password=hunter2;NotAKeyword=1")]
    public void TryParse_Invalid_ErrorNamesSettingNeverPassword(string url)
    {
        Assert.False(DatabaseUrl.TryParse(url, out _, out var error));
        Assert.Contains("DATABASE_URL", error, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error, StringComparison.Ordinal);
    }
}
