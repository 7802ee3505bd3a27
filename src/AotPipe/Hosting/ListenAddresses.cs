using System.Net;
using AotPipe.Configuration;
using Microsoft.AspNetCore.Http;

namespace AotPipe.Hosting;

/// <summary>
/// Reads the listen URLs (<c>--urls</c> or <c>ASPNETCORE_URLS</c>) the way Kestrel will bind them, and refuses before
/// listening every URL Kestrel would bind differently from how it reads or would refuse only once the host starts.
/// </summary>
/// <remarks>Kestrel binds a host it cannot parse as an IP address, other than <c>localhost</c>, on every interface: a
/// typo such as <c>http://127.0.0.1:808O</c> becomes host <c>127.0.0.1:808O</c> on port 80 of all interfaces. The
/// unauthenticated-loopback rule and the egress guard's own-address list must see that address, not the one the
/// operator meant, so both take their view from here (docs/security.md).</remarks>
public static class ListenAddresses
{
    /// <summary>The largest TCP port.</summary>
    public const int MaxPort = 65535;

    /// <summary>Parses <paramref name="urls"/> (separated by <c>;</c>); throws <see cref="SettingsException"/> naming
    /// <paramref name="settingName"/> and the position of the bad entry, never its text.</summary>
    public static IReadOnlyList<ListenAddress> Parse(string urls, string settingName)
    {
        var entries = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (entries.Length == 0)
        {
            throw new SettingsException(settingName, "names no listen address; use http://127.0.0.1:8080 or similar.");
        }

        var addresses = new List<ListenAddress>(entries.Length);
        for (var i = 0; i < entries.Length; i++)
        {
            addresses.Add(ParseOne(entries[i], settingName, $"listen address {i + 1} of {entries.Length}"));
        }

        return addresses;
    }

    private static ListenAddress ParseOne(string url, string settingName, string which)
    {
        BindingAddress binding;
        try
        {
            binding = BindingAddress.Parse(url);
        }
        catch (FormatException)
        {
            throw new SettingsException(settingName, $"{which} is not a URL of the form http://host:port.");
        }

        if (binding.IsUnixPipe || binding.IsNamedPipe)
        {
            throw new SettingsException(settingName, $"{which} is a pipe; the gateway listens on TCP (http://host:port).");
        }

        if (!string.Equals(binding.Scheme, "http", StringComparison.OrdinalIgnoreCase))
        {
            throw new SettingsException(settingName, $"{which} is not http://; the gateway speaks plain HTTP, so terminate TLS in front of it (docs/security.md).");
        }

        if (!string.IsNullOrEmpty(binding.PathBase))
        {
            throw new SettingsException(settingName, $"{which} has a path; a listen address is http://host:port only.");
        }

        var host = binding.Host;
        var bracketed = host.StartsWith('[') && host.EndsWith(']');
        if (host.Length == 0)
        {
            throw new SettingsException(settingName, $"{which} has no host.");
        }

        if (host.Contains(':', StringComparison.Ordinal) && !bracketed)
        {
            // BindingAddress keeps "host:port" whole when the port is not a number, which Kestrel then binds on port 80
            // of every interface.
            throw new SettingsException(settingName, $"{which} has a port that is not a number.");
        }

        if (binding.Port is < 0 or > MaxPort)
        {
            throw new SettingsException(settingName, $"{which} has a port outside 0-{MaxPort}.");
        }

        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return new ListenAddress(null, binding.Port, IsLoopback: true);
        }

        if (IPAddress.TryParse(bracketed ? host[1..^1] : host, out var address))
        {
            var wildcard = address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);
            return new ListenAddress(wildcard ? null : address, binding.Port, IPAddress.IsLoopback(address));
        }

        if (bracketed)
        {
            throw new SettingsException(settingName, $"{which} has a bracketed host that is not an IPv6 address.");
        }

        // "*", "+" and any other name: Kestrel binds every interface.
        return new ListenAddress(null, binding.Port, IsLoopback: false);
    }
}
