using System.Net;
using AotPipe.Configuration;
using AotPipe.Hosting;
using Xunit;

namespace AotPipe.Tests.Hosting;

public sealed class ListenAddressesTests
{
    [Theory]
    [InlineData("http://127.0.0.1:8080", "127.0.0.1", 8080, true)]
    [InlineData("http://127.0.0.2:8080", "127.0.0.2", 8080, true)]
    [InlineData("http://[::1]:9000", "::1", 9000, true)]
    [InlineData("http://10.0.0.5:8080", "10.0.0.5", 8080, false)]
    [InlineData("http://127.0.0.1:0", "127.0.0.1", 0, true)]
    [InlineData("http://127.0.0.1", "127.0.0.1", 80, true)]
    [InlineData("HTTP://127.0.0.1:65535", "127.0.0.1", 65535, true)]
    public void Parse_IpAddress_BindsThatAddress(string url, string address, int port, bool loopback)
    {
        var listen = Assert.Single(ListenAddresses.Parse(url, "--urls"));

        Assert.Equal(IPAddress.Parse(address), listen.Address);
        Assert.Equal(port, listen.Port);
        Assert.Equal(loopback, listen.IsLoopback);
        Assert.False(listen.IsWildcard);
    }

    [Fact]
    public void Parse_Localhost_IsLoopbackOnBothFamilies()
    {
        var listen = Assert.Single(ListenAddresses.Parse("http://LocalHost:8080", "--urls"));

        Assert.Null(listen.Address);
        Assert.True(listen.IsLoopback);
        Assert.False(listen.IsWildcard);
    }

    [Theory]
    [InlineData("http://0.0.0.0:8080")]
    [InlineData("http://[::]:8080")]
    [InlineData("http://+:8080")]
    [InlineData("http://*:8080")]
    [InlineData("http://gateway.internal:8080")]
    [InlineData("http://127.0.0.1.nip.io:8080")]
    public void Parse_WildcardOrHostName_BindsEveryInterface(string url)
    {
        // Kestrel binds a host name other than localhost on every interface, whatever the name resolves to.
        var listen = Assert.Single(ListenAddresses.Parse(url, "--urls"));

        Assert.True(listen.IsWildcard);
        Assert.False(listen.IsLoopback);
        Assert.Equal(8080, listen.Port);
    }

    [Fact]
    public void Parse_SeveralUrls_KeepsTheirOrder()
    {
        var listen = ListenAddresses.Parse(" http://127.0.0.1:8080 ; http://[::1]:8081;", "--urls");

        Assert.Equal([8080, 8081], listen.Select(static a => a.Port));
        Assert.All(listen, static a => Assert.True(a.IsLoopback));
    }

    [Theory]
    [InlineData("http://127.0.0.1:notaport", "listen address 1 of 1 has a port that is not a number")]
    [InlineData("http://127.0.0.1:80O0", "listen address 1 of 1 has a port that is not a number")]
    [InlineData("http://localhost:", "listen address 1 of 1 has a port that is not a number")]
    [InlineData("http://:8080", "listen address 1 of 1 is not a URL of the form http://host:port")]
    [InlineData("http://127.0.0.1:65536", "listen address 1 of 1 has a port outside 0-65535")]
    [InlineData("http://127.0.0.1:-1", "listen address 1 of 1 has a port outside 0-65535")]
    [InlineData("127.0.0.1:8080", "listen address 1 of 1 is not a URL of the form http://host:port")]
    [InlineData("https://127.0.0.1:8443", "listen address 1 of 1 is not http://")]
    [InlineData("ftp://127.0.0.1:21", "listen address 1 of 1 is not http://")]
    [InlineData("http://127.0.0.1:8080/gateway", "listen address 1 of 1 has a path")]
    [InlineData("http://unix:/run/aotpipe.sock", "listen address 1 of 1 is a pipe")]
    [InlineData("http://[not-v6]:8080", "listen address 1 of 1 has a bracketed host that is not an IPv6 address")]
    [InlineData("http://127.0.0.1:8080;http://127.0.0.1:80x", "listen address 2 of 2 has a port that is not a number")]
    [InlineData("", "names no listen address")]
    [InlineData(" ; ", "names no listen address")]
    public void Parse_UrlKestrelWouldNotBindAsWritten_RefusedNamingSettingNotValue(string urls, string reason)
    {
        var error = Assert.Throws<SettingsException>(() => ListenAddresses.Parse(urls, "ASPNETCORE_URLS"));

        Assert.Equal("ASPNETCORE_URLS", error.SettingName);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        foreach (var part in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            Assert.DoesNotContain(part, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void StartupChecks_TypoedLoopbackPortWithoutKeys_Refused()
    {
        // Kestrel would bind "http://127.0.0.1:80O0" as host "127.0.0.1:80O0" on port 80 of every interface: before this
        // check the loopback rule read it as 127.0.0.1 and let an unauthenticated gateway listen publicly.
        var settings = GatewaySettings.Load(new Dictionary<string, string?>());

        var error = Assert.Throws<SettingsException>(() => StartupChecks.Run(settings, "http://127.0.0.1:80O0"));

        Assert.Equal("--urls", error.SettingName);
    }

    [Fact]
    public void StartupChecks_HostNameWithoutKeys_RefusedAsNonLoopback()
    {
        var settings = GatewaySettings.Load(new Dictionary<string, string?>());

        var error = Assert.Throws<SettingsException>(() => StartupChecks.Run(settings, "http://gateway.internal:8080"));

        Assert.Equal("AOTPIPE_API_KEYS", error.SettingName);
    }

    [Fact]
    public void EgressPolicy_CountsEveryBoundAddressAsTheGatewaysOwn()
    {
        var settings = GatewaySettings.Load(new Dictionary<string, string?>());

        var endpoints = IngestionServices.CreatePolicy(settings, "http://localhost:8080;http://10.0.0.5:8081;http://gateway.internal:8082").Options.ListenEndpoints;

        Assert.Equal(
            [new IPEndPoint(IPAddress.Loopback, 8080), new IPEndPoint(IPAddress.IPv6Loopback, 8080), new IPEndPoint(IPAddress.Parse("10.0.0.5"), 8081), new IPEndPoint(IPAddress.Any, 8082)],
            endpoints);
    }
}
