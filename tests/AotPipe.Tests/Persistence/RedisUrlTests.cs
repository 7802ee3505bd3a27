using System.Net;
using AotPipe.Persistence;
using Xunit;

namespace AotPipe.Tests.Persistence;

public sealed class RedisUrlTests
{
    [Fact]
    public void UrlWithPasswordPortAndDatabase_Parsed()
    {
        Assert.True(RedisUrl.TryParse("redis://:s3cr%40t@127.0.0.1:6380/2", out var options, out var error), error);

        Assert.Equal("s3cr@t", options.Password);
        Assert.Null(options.User);
        Assert.Equal(2, options.DefaultDatabase);
        Assert.False(options.Ssl);
        var endpoint = Assert.IsType<IPEndPoint>(Assert.Single(options.EndPoints));
        Assert.Equal(6380, endpoint.Port);
    }

    [Fact]
    public void UrlWithUserAndTls_DefaultPort()
    {
        Assert.True(RedisUrl.TryParse("rediss://app:pw@127.0.0.1", out var options, out _));

        Assert.Equal("app", options.User);
        Assert.Equal("pw", options.Password);
        Assert.True(options.Ssl);
        Assert.Equal(RedisUrl.DefaultPort, Assert.IsType<IPEndPoint>(Assert.Single(options.EndPoints)).Port);
    }

    [Fact]
    public void ConfigurationString_Parsed()
    {
        Assert.True(RedisUrl.TryParse("127.0.0.1:6379,password=pw,defaultDatabase=3", out var options, out _));

        Assert.Equal("pw", options.Password);
        Assert.Equal(3, options.DefaultDatabase);
    }

    [Theory]
    [InlineData("http://127.0.0.1:6379")]
    [InlineData("redis://127.0.0.1:0")]
    [InlineData("redis://127.0.0.1:65536")]
    [InlineData("redis://:hunter2@127.0.0.1:6379/x")]
    [InlineData("redis://:hunter2@")]
    public void Invalid_ErrorNamesTheSettingNeverThePassword(string url)
    {
        Assert.False(RedisUrl.TryParse(url, out _, out var error));

        Assert.Contains("REDIS_URL", error);
        Assert.DoesNotContain("hunter2", error);
    }

    [Fact]
    public void HighestPort_Accepted()
    {
        Assert.True(RedisUrl.TryParse("redis://127.0.0.1:65535", out var options, out _));
        Assert.Equal(65535, Assert.IsType<IPEndPoint>(Assert.Single(options.EndPoints)).Port);
    }
}
