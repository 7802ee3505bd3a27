using System.Net;
using AotPipe.Security.Egress;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace AotPipe.Tests.Security.Egress;

public sealed class EgressGuardTests
{
    private static EgressGuard CreateGuard(EgressOptions? options = null, IHostResolver? resolver = null, TimeProvider? time = null) =>
        new(new EgressPolicy(options ?? new EgressOptions()), resolver ?? FakeHostResolver.CreateDefault(), time ?? new FakeTimeProvider());

    public static TheoryData<string, string> BlockedUrls => new()
    {
        // Schemes
        { "http://public.example/a.png", EgressReasons.InsecureHttp },
        { "ftp://public.example/a.png", EgressReasons.Scheme },
        { "file:///etc/passwd", EgressReasons.Scheme },
        { "gopher://public.example/", EgressReasons.Scheme },
        { "javascript:alert(1)", EgressReasons.Scheme },
        { "data:image/png;base64,AAAA", EgressReasons.Scheme },
        // Shape
        { "", EgressReasons.Malformed },
        { "not a url", EgressReasons.Malformed },
        { "https:public.example/x", EgressReasons.Malformed },
        { "https:///x", EgressReasons.MalformedHost },
        { " https://public.example/", EgressReasons.Malformed },
        { "https://public.example/\n", EgressReasons.Malformed },
        // Ports: https on 443 only
        { "https://public.example:8443/", EgressReasons.Port },
        { "https://public.example:80/", EgressReasons.Port },
        { "https://public.example:0/", EgressReasons.Port },
        { "https://public.example:99999/", EgressReasons.Malformed },
        // Userinfo and authority confusion
        { "https://evil.com@127.0.0.1/", EgressReasons.UserInfo },
        { "https://user:pass@public.example/", EgressReasons.UserInfo },
        { "https://public.example@private.example/", EgressReasons.UserInfo },
        { "https://public.example\\@127.0.0.1/", EgressReasons.Backslash },
        { "https://public.example\\.127.0.0.1/", EgressReasons.Backslash },
        { "https://127.0.0.1%2e/", EgressReasons.PercentEncoding },
        { "https://%31%32%37.0.0.1/", EgressReasons.PercentEncoding },
        { "https://public%2eexample/", EgressReasons.PercentEncoding },
        { "https://[fe80::1%25eth0]/", EgressReasons.ZoneId },
        { "https://[fe80::1%eth0]/", EgressReasons.ZoneId },
        // Names
        { "https://localhost/", EgressReasons.Localhost },
        { "https://LOCALHOST/", EgressReasons.Localhost },
        { "https://localhost./", EgressReasons.Localhost },
        { "https://a.localhost/", EgressReasons.Localhost },
        { "https://a.b.LocalHost./", EgressReasons.Localhost },
        { "https://ｌｏｃａｌｈｏｓｔ/", EgressReasons.Localhost },
        { "https://999.1.1.1/", EgressReasons.MalformedHost },
        { "https://1.2.3.4.5/", EgressReasons.MalformedHost },
        { "https://public.example../", EgressReasons.Malformed },
        // Literal encodings of loopback and friends
        { "https://127.0.0.1/", EgressReasons.PrivateAddress },
        { "https://127.0.0.2/", EgressReasons.PrivateAddress },
        { "https://2130706433/", EgressReasons.PrivateAddress },
        { "https://0177.0.0.1/", EgressReasons.PrivateAddress },
        { "https://0x7f.1/", EgressReasons.PrivateAddress },
        { "https://0x7f000001/", EgressReasons.PrivateAddress },
        { "https://017700000001/", EgressReasons.PrivateAddress },
        { "https://127.1/", EgressReasons.PrivateAddress },
        { "https://0/", EgressReasons.PrivateAddress },
        { "https://127.0.0.1./", EgressReasons.PrivateAddress },
        { "https://10.1/", EgressReasons.PrivateAddress },
        { "https://169.254.169.254/latest/meta-data/", EgressReasons.PrivateAddress },
        { "https://100.100.100.200/", EgressReasons.PrivateAddress },
        { "https://168.63.129.16/", EgressReasons.PrivateAddress },
        { "https://[::1]/", EgressReasons.PrivateAddress },
        { "https://[::]/", EgressReasons.PrivateAddress },
        { "https://[0:0:0:0:0:0:0:1]/", EgressReasons.PrivateAddress },
        { "https://[::ffff:127.0.0.1]/", EgressReasons.PrivateAddress },
        { "https://[::ffff:7f00:1]/", EgressReasons.PrivateAddress },
        { "https://[::ffff:0:127.0.0.1]/", EgressReasons.PrivateAddress },
        { "https://[::127.0.0.1]/", EgressReasons.PrivateAddress },
        { "https://[64:ff9b::808:808]/", EgressReasons.PrivateAddress },
        { "https://[2002:808:808::1]/", EgressReasons.PrivateAddress },
        { "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", EgressReasons.PrivateAddress },
        { "https://[2001:4860:1:1:0:5efe:a00:1]/", EgressReasons.PrivateAddress },
        { "https://[fd00:ec2::254]/", EgressReasons.PrivateAddress },
        // IDN and full-width forms: folded the way a browser folds them
        { "https://１２７．０．０．１/", EgressReasons.PrivateAddress },
        { "https://127。0。0。1/", EgressReasons.PrivateAddress },
        { "https://127｡0｡0｡1/", EgressReasons.PrivateAddress },
        { "https://public.example＠127.0.0.1/", EgressReasons.UserInfo },
        { "https://public.example：8443/", EgressReasons.Port },
        // Resolution
        { "https://private.example/a.png", EgressReasons.PrivateAddress },
        { "https://metadata.example/", EgressReasons.PrivateAddress },
        { "https://mixed.example/", EgressReasons.PrivateAddress },
        { "https://v6private.example/", EgressReasons.PrivateAddress },
        { "https://mapped.example/", EgressReasons.PrivateAddress },
        { "https://fail.example/", EgressReasons.DnsFailure },
        { "https://unknown.example/", EgressReasons.DnsFailure },
        { "https://empty.example/", EgressReasons.DnsEmpty },
    };

    [Theory]
    [MemberData(nameof(BlockedUrls))]
    public async Task BlockedUrl_IsBlockedWithReason(string url, string reason)
    {
        EgressDecision decision = await CreateGuard().CheckAsync(url, TestContext.Current.CancellationToken);
        Assert.False(decision.IsAllowed);
        Assert.Equal(reason, decision.Reason);
        Assert.Empty(decision.Addresses);
    }

    [Theory]
    [InlineData("https://public.example/a.png")]
    [InlineData("https://PUBLIC.example/a.png?x=1#f")]
    [InlineData("https://public.example:443/a.png")]
    [InlineData("https://public.example./a.png")]
    [InlineData("https://public.example:/a.png")]
    [InlineData("https://93.184.216.34/a.png")]
    [InlineData("https://[2606:4700:4700::1111]/")]
    [InlineData("HTTPS://public.example/")]
    public async Task PublicUrl_IsAllowedWithValidatedAddresses(string url)
    {
        EgressDecision decision = await CreateGuard().CheckAsync(url, TestContext.Current.CancellationToken);
        Assert.True(decision.IsAllowed, decision.Reason);
        Assert.NotEmpty(decision.Addresses);
        Assert.NotNull(decision.Target);
    }

    [Fact]
    public async Task IdnHost_IsResolvedInPunycode()
    {
        var resolver = FakeHostResolver.CreateDefault();
        resolver.Add("xn--bcher-kva.example", FakeHostResolver.PublicV4);
        EgressDecision decision = await CreateGuard(resolver: resolver).CheckAsync("https://bücher.example/", TestContext.Current.CancellationToken);
        Assert.True(decision.IsAllowed, decision.Reason);
        Assert.Equal(1, resolver.CallsFor("xn--bcher-kva.example"));
    }

    [Fact]
    public async Task SlowResolver_AtBudget_IsDnsTimeout()
    {
        var time = new FakeTimeProvider();
        EgressGuard guard = CreateGuard(time: time);
        ValueTask<EgressDecision> pending = guard.CheckAsync("https://hang.example/", TestContext.Current.CancellationToken);
        time.Advance(EgressOptions.DefaultDnsTimeout - TimeSpan.FromMilliseconds(1));
        Assert.False(pending.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        EgressDecision decision = await pending.AsTask().WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(EgressReasons.DnsTimeout, decision.Reason);
    }

    [Fact]
    public async Task LiteralAndLocalhost_NeverReachTheResolver()
    {
        var resolver = FakeHostResolver.CreateDefault();
        EgressGuard guard = CreateGuard(resolver: resolver);
        await guard.CheckAsync("https://localhost./", TestContext.Current.CancellationToken);
        await guard.CheckAsync("https://0x7f.1/", TestContext.Current.CancellationToken);
        Assert.Equal(0, resolver.CallsFor("localhost"));
        Assert.Equal(0, resolver.CallsFor("0x7f.1"));
    }

    [Fact]
    public async Task SsrfProtectionOff_DropsAddressRulesButKeepsSchemeRules()
    {
        EgressGuard guard = CreateGuard(new EgressOptions { EnableSsrfProtection = false });
        CancellationToken ct = TestContext.Current.CancellationToken;
        Assert.True((await guard.CheckAsync("https://127.0.0.1/", ct)).IsAllowed);
        Assert.True((await guard.CheckAsync("https://private.example/", ct)).IsAllowed);
        Assert.True((await guard.CheckAsync("https://localhost/", ct)).IsAllowed);
        Assert.Equal(EgressReasons.InsecureHttp, (await guard.CheckAsync("http://127.0.0.1/", ct)).Reason);
        Assert.Equal(EgressReasons.Scheme, (await guard.CheckAsync("file:///etc/passwd", ct)).Reason);
        Assert.Equal(EgressReasons.UserInfo, (await guard.CheckAsync("https://a@public.example/", ct)).Reason);
        Assert.Equal(EgressReasons.Port, (await guard.CheckAsync("https://public.example:22/", ct)).Reason);
    }

    [Theory]
    [InlineData("http://img.test/a.png", null)]
    [InlineData("http://IMG.test./a.png", null)]
    [InlineData("http://img.test:80/a.png", null)]
    [InlineData("http://img.test:8080/a.png", EgressReasons.Port)]
    [InlineData("http://other.test:8080/a.png", null)]
    [InlineData("http://other.test/a.png", EgressReasons.Port)]
    [InlineData("http://dot.test/a.png", null)]
    [InlineData("http://public.example/a.png", EgressReasons.InsecureHttp)]
    [InlineData("http://[2001:db8::1]:8081/", EgressReasons.PrivateAddress)]
    [InlineData("http://[2001:db8::1]/", EgressReasons.Port)]
    [InlineData("http://private.test/", EgressReasons.PrivateAddress)]
    public async Task HttpAllowlist_MatchesHostAndPort(string url, string? reason)
    {
        var resolver = FakeHostResolver.CreateDefault();
        resolver.Add("dot.test", FakeHostResolver.PublicV4);
        EgressGuard guard = CreateGuard(new EgressOptions
        {
            AllowInsecureHttp = true,
            AllowInsecureHttpHosts = EgressOptions.SplitHostList(" img.test, other.test:8080 ,Dot.Test.,[2001:db8::1]:8081, private.test"),
        }, resolver);
        EgressDecision decision = await guard.CheckAsync(url, TestContext.Current.CancellationToken);
        Assert.Equal(reason, decision.Reason);
    }

    [Fact]
    public async Task HttpAllowlist_WithoutAllowInsecureHttp_Blocks()
    {
        EgressGuard guard = CreateGuard(new EgressOptions { AllowInsecureHttp = false, AllowInsecureHttpHosts = ["img.test"] });
        Assert.Equal(EgressReasons.InsecureHttp, (await guard.CheckAsync("http://img.test/", TestContext.Current.CancellationToken)).Reason);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a b")]
    [InlineData("host:0")]
    [InlineData("host:65536")]
    [InlineData("host:")]
    [InlineData("host:x")]
    [InlineData("[::1")]
    [InlineData("[::1]x")]
    [InlineData("[fe80::1%eth0]:80")]
    [InlineData("user@host")]
    [InlineData("host/path")]
    public void InvalidHostEntry_IsRejected(string entry) => Assert.False(EgressPolicy.TryParseHostEntry(entry, out _, out _));

    [Theory]
    [InlineData("img.test", "img.test", 80)]
    [InlineData("IMG.Test.:8080", "img.test", 8080)]
    [InlineData("[2001:DB8::1]:8081", "2001:db8::1", 8081)]
    [InlineData("[::1]", "::1", 80)]
    [InlineData("host:65535", "host", 65535)]
    [InlineData("host:1", "host", 1)]
    public void ValidHostEntry_IsNormalised(string entry, string host, int port)
    {
        Assert.True(EgressPolicy.TryParseHostEntry(entry, out string parsedHost, out int parsedPort));
        Assert.Equal(host, parsedHost);
        Assert.Equal(port, parsedPort);
    }

    [Fact]
    public async Task OwnListenAddress_IsSelfAddress()
    {
        EgressGuard guard = CreateGuard(new EgressOptions { ListenEndpoints = [new IPEndPoint(IPAddress.Parse(FakeHostResolver.PublicV4), 8080)] });
        EgressDecision decision = await guard.CheckAsync("https://public.example/", TestContext.Current.CancellationToken);
        Assert.Equal(EgressReasons.SelfAddress, decision.Reason);
    }

    [Theory]
    [InlineData("[::1]", EgressReasons.PrivateAddress)]
    [InlineData("fe80::1%eth0", EgressReasons.ZoneId)]
    [InlineData("localhost", EgressReasons.Localhost)]
    [InlineData("private.example", EgressReasons.PrivateAddress)]
    [InlineData("public.example", null)]
    public async Task EndpointCheck_AppliesNameAndAddressRules(string host, string? reason)
    {
        EgressDecision decision = await CreateGuard().CheckEndpointAsync(host, TestContext.Current.CancellationToken);
        Assert.Equal(reason, decision.Reason);
    }
}
