using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace AotPipe.Security.Egress;

/// <summary>
/// The consolidated address deny list of the egress guard (SECURITY.md §1.2): every range a download must never reach.
/// </summary>
/// <remarks>
/// IPv6 forms that carry an IPv4 address (mapped <c>::ffff:0:0/96</c>, translated <c>::ffff:0:0:0/96</c>, compatible
/// <c>::/96</c> and ISATAP interface identifiers) are judged by their IPv4 part, after the IPv6 table has had its say.
/// NAT64, 6to4 and Teredo prefixes are blocked whole, whatever they embed.
/// </remarks>
internal static class IpDenyList
{
    /// <summary>One IPv4 range of the deny list.</summary>
    private readonly record struct V4Range(uint Prefix, int Length, string Label)
    {
        public bool Contains(uint address) => Length == 0 || (address >> (32 - Length)) == (Prefix >> (32 - Length));
    }

    /// <summary>One IPv6 range of the deny list.</summary>
    private readonly record struct V6Range(UInt128 Prefix, int Length, string Label)
    {
        public bool Contains(UInt128 address) => (address >> (128 - Length)) == (Prefix >> (128 - Length));
    }

    private static readonly V4Range[] s_v4 =
    [
        V4("0.0.0.0", 8, "this-network"),
        V4("10.0.0.0", 8, "rfc1918"),
        V4("100.64.0.0", 10, "cgnat"),
        V4("127.0.0.0", 8, "loopback"),
        V4("168.63.129.16", 32, "azure-wireserver"),
        V4("169.254.0.0", 16, "link-local"),
        V4("172.16.0.0", 12, "rfc1918"),
        V4("192.0.0.0", 24, "ietf-protocol"),
        V4("192.0.2.0", 24, "test-net"),
        V4("192.88.99.0", 24, "6to4-relay"),
        V4("192.168.0.0", 16, "rfc1918"),
        V4("198.18.0.0", 15, "benchmarking"),
        V4("198.51.100.0", 24, "test-net"),
        V4("203.0.113.0", 24, "test-net"),
        V4("224.0.0.0", 4, "multicast"),
        V4("240.0.0.0", 4, "reserved"),
    ];

    private static readonly V6Range[] s_v6 =
    [
        V6("64:ff9b::", 96, "nat64"),
        V6("64:ff9b:1::", 48, "nat64-local"),
        V6("100::", 64, "discard-only"),
        V6("2001::", 32, "teredo"),
        V6("2001:2::", 48, "benchmarking"),
        V6("2001:10::", 28, "orchid"),
        V6("2001:20::", 28, "orchid-v2"),
        V6("2001:db8::", 32, "documentation"),
        V6("2002::", 16, "6to4"),
        V6("3fff::", 20, "documentation"),
        V6("5f00::", 16, "srv6"),
        V6("fc00::", 7, "unique-local"),
        V6("fe80::", 10, "link-local"),
        V6("fec0::", 10, "site-local"),
        V6("ff00::", 8, "multicast"),
    ];

    /// <summary>The IPv4 ranges as <c>address/length label</c> lines, for tests and documentation.</summary>
    public static IEnumerable<(IPAddress First, IPAddress Last, string Label)> V4Ranges =>
        s_v4.Select(r => (ToAddress(r.Prefix), ToAddress(r.Prefix | (r.Length == 32 ? 0 : uint.MaxValue >> r.Length)), r.Label));

    /// <summary>The IPv6 ranges with their first and last address, for tests and documentation.</summary>
    public static IEnumerable<(IPAddress First, IPAddress Last, string Label)> V6Ranges =>
        s_v6.Select(r => (ToAddress(r.Prefix), ToAddress(r.Prefix | (UInt128.MaxValue >> r.Length)), r.Label));

    /// <summary>
    /// Returns the label of the deny range that contains <paramref name="address"/> (for example <c>loopback</c>,
    /// <c>rfc1918</c>, <c>6to4</c>), or <see langword="null"/> when the address may be reached.
    /// </summary>
    public static string? Classify(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> v4 = stackalloc byte[4];
            address.TryWriteBytes(v4, out _);
            return ClassifyV4(BinaryPrimitives.ReadUInt32BigEndian(v4));
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            // Only IP addresses reach a socket; anything else is not something we know how to judge.
            return "unknown-family";
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        UInt128 value = BinaryPrimitives.ReadUInt128BigEndian(bytes);
        return ClassifyV6(value, bytes);
    }

    private static string? ClassifyV4(uint address)
    {
        foreach (ref readonly V4Range range in s_v4.AsSpan())
        {
            if (range.Contains(address))
            {
                return range.Label;
            }
        }

        return null;
    }

    private static string? ClassifyV6(UInt128 value, ReadOnlySpan<byte> bytes)
    {
        if (value == UInt128.Zero)
        {
            return "unspecified";
        }

        if (value == UInt128.One)
        {
            return "loopback";
        }

        foreach (ref readonly V6Range range in s_v6.AsSpan())
        {
            if (range.Contains(value))
            {
                return range.Label;
            }
        }

        uint low = (uint)value;
        UInt128 upper96 = value >> 32;

        // ::ffff:a.b.c.d (mapped), ::ffff:0:a.b.c.d (translated, RFC 2765) and ::a.b.c.d (compatible) carry IPv4 in
        // the low 32 bits; the IPv4 list decides. Uri.IsLoopback and IPAddress.IsIPv4MappedToIPv6 miss the translated form.
        if (upper96 == 0xFFFF || upper96 == 0xFFFF_0000 || upper96 == 0)
        {
            return ClassifyV4(low) is { } embedded ? "embedded-" + embedded : null;
        }

        // ISATAP interface identifier: bytes 8-11 are 00-00-5E-FE (or 02-00-5E-FE, universal bit set); bytes 12-15 are IPv4.
        if ((bytes[8] & 0xFD) == 0 && bytes[9] == 0 && bytes[10] == 0x5E && bytes[11] == 0xFE)
        {
            return ClassifyV4(low) is { } isatap ? "isatap-" + isatap : null;
        }

        return null;
    }

    private static V4Range V4(string prefix, int length, string label)
    {
        Span<byte> bytes = stackalloc byte[4];
        IPAddress.Parse(prefix).TryWriteBytes(bytes, out _);
        return new V4Range(BinaryPrimitives.ReadUInt32BigEndian(bytes), length, label);
    }

    private static V6Range V6(string prefix, int length, string label)
    {
        Span<byte> bytes = stackalloc byte[16];
        IPAddress.Parse(prefix).TryWriteBytes(bytes, out _);
        return new V6Range(BinaryPrimitives.ReadUInt128BigEndian(bytes), length, label);
    }

    private static IPAddress ToAddress(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes);
    }

    private static IPAddress ToAddress(UInt128 value)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, value);
        return new IPAddress(bytes);
    }
}
