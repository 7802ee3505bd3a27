using System.Net;
using AotPipe.Security.Egress;
using Xunit;

namespace AotPipe.Tests.Security.Egress;

public sealed class IpDenyListTests
{
    // First and last address of every range of SECURITY.md §1.2, written out (not derived from the product table).
    public static TheoryData<string, string> DeniedRangeEdges => new()
    {
        { "0.0.0.0", "0.255.255.255" },
        { "10.0.0.0", "10.255.255.255" },
        { "172.16.0.0", "172.31.255.255" },
        { "192.168.0.0", "192.168.255.255" },
        { "100.64.0.0", "100.127.255.255" },
        { "127.0.0.0", "127.255.255.255" },
        { "169.254.0.0", "169.254.255.255" },
        { "192.0.0.0", "192.0.0.255" },
        { "192.0.2.0", "192.0.2.255" },
        { "198.51.100.0", "198.51.100.255" },
        { "203.0.113.0", "203.0.113.255" },
        { "192.88.99.0", "192.88.99.255" },
        { "198.18.0.0", "198.19.255.255" },
        { "224.0.0.0", "239.255.255.255" },
        { "240.0.0.0", "255.255.255.255" },
        { "168.63.129.16", "168.63.129.16" },
        { "::", "::" },
        { "::1", "::1" },
        { "::ffff:0.0.0.0", "::ffff:0.255.255.255" },
        { "::ffff:127.0.0.0", "::ffff:127.255.255.255" },
        { "::ffff:0:10.0.0.0", "::ffff:0:10.255.255.255" },
        { "::0.0.0.2", "::10.255.255.255" },
        { "64:ff9b::", "64:ff9b::ffff:ffff" },
        { "64:ff9b:1::", "64:ff9b:1:ffff:ffff:ffff:ffff:ffff" },
        { "2002::", "2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
        { "2001::", "2001:0:ffff:ffff:ffff:ffff:ffff:ffff" },
        { "2001:2::", "2001:2:0:ffff:ffff:ffff:ffff:ffff" },
        { "2001:10::", "2001:1f:ffff:ffff:ffff:ffff:ffff:ffff" },
        { "2001:20::", "2001:2f:ffff:ffff:ffff:ffff:ffff:ffff" },
        { "2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff" },
        { "3fff::", "3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff" },
        { "100::", "100::ffff:ffff:ffff:ffff" },
        { "fc00::", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
        { "fe80::", "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
        { "fec0::", "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
        { "ff00::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
        { "5f00::", "5f00:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
    };

    [Theory]
    [MemberData(nameof(DeniedRangeEdges))]
    public void FirstAndLastOfRange_AreDenied(string first, string last)
    {
        Assert.NotNull(IpDenyList.Classify(IPAddress.Parse(first)));
        Assert.NotNull(IpDenyList.Classify(IPAddress.Parse(last)));
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("93.184.216.34")]
    [InlineData("9.255.255.255")]
    [InlineData("11.0.0.0")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.0")]
    [InlineData("126.255.255.255")]
    [InlineData("128.0.0.0")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.0")]
    [InlineData("192.0.1.0")]
    [InlineData("198.17.255.255")]
    [InlineData("198.20.0.0")]
    [InlineData("223.255.255.255")]
    [InlineData("168.63.129.15")]
    [InlineData("168.63.129.17")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("2001:4860:4860::8888")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("2001:1::1")]
    [InlineData("2001:db7:ffff::1")]
    [InlineData("2003::1")]
    [InlineData("fbff:ffff::1")]
    [InlineData("4000::1")]
    [InlineData("2001:4860:1:1:200:5efe:808:808")]
    public void PublicAddress_IsAllowed(string address) => Assert.Null(IpDenyList.Classify(IPAddress.Parse(address)));

    [Theory]
    [InlineData("::ffff:127.0.0.1", "embedded-loopback")]
    [InlineData("::ffff:0:127.0.0.1", "embedded-loopback")]
    [InlineData("::127.0.0.1", "embedded-loopback")]
    [InlineData("::ffff:169.254.169.254", "embedded-link-local")]
    [InlineData("::ffff:100.100.100.200", "embedded-cgnat")]
    [InlineData("64:ff9b::808:808", "nat64")]
    [InlineData("64:ff9b::7f00:1", "nat64")]
    [InlineData("2002:808:808::1", "6to4")]
    [InlineData("2002:a00:1::1", "6to4")]
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2", "teredo")]
    [InlineData("2001:4860:1:1:0:5efe:a00:1", "isatap-rfc1918")]
    [InlineData("2001:4860:1:1:200:5efe:7f00:1", "isatap-loopback")]
    [InlineData("fd00:ec2::254", "unique-local")]
    [InlineData("100.100.100.200", "cgnat")]
    [InlineData("169.254.169.254", "link-local")]
    public void EmbeddedAndSpecialForms_HaveTheirReason(string address, string reason) =>
        Assert.Equal(reason, IpDenyList.Classify(IPAddress.Parse(address)));

    [Fact]
    public void EveryTableRange_IsCoveredByTheWrittenEdges()
    {
        HashSet<string> written = DeniedRangeEdges.Select(row => IPAddress.Parse((string)row.Data.Item1).ToString()).ToHashSet();
        foreach ((IPAddress first, _, _) in IpDenyList.V4Ranges.Concat(IpDenyList.V6Ranges))
        {
            Assert.Contains(first.ToString(), written);
        }
    }
}
