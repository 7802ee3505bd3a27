using System.Buffers;
using System.Net;
using System.Net.Sockets;

namespace AotPipe.Security.Egress;

/// <summary>
/// Runs every egress rule of SECURITY.md §1.8 on a URL: scheme, URL shape, port, names, one name resolution and the
/// address deny list. The same guard backs the connect callback of <see cref="GuardedHttpClientFactory"/> and <c>check-url</c>.
/// </summary>
internal sealed class EgressGuard
{
    private static readonly SearchValues<char> s_authorityEnd = SearchValues.Create("/?#");
    private static readonly SearchValues<char> s_numericHostChars = SearchValues.Create("0123456789abcdefxABCDEFX.");

    private readonly IHostResolver _resolver;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates a guard over <paramref name="policy"/> resolving through <paramref name="resolver"/>.</summary>
    public EgressGuard(EgressPolicy policy, IHostResolver resolver, TimeProvider timeProvider)
    {
        Policy = policy;
        _resolver = resolver;
        _timeProvider = timeProvider;
    }

    /// <summary>The policy this guard enforces.</summary>
    public EgressPolicy Policy { get; }

    /// <summary>Checks an absolute URL given as a <see cref="Uri"/>; see <see cref="CheckAsync(string, CancellationToken)"/>.</summary>
    public ValueTask<EgressDecision> CheckAsync(Uri url, CancellationToken cancellationToken) =>
        url.IsAbsoluteUri ? CheckAsync(url.OriginalString, cancellationToken) : ValueTask.FromResult(EgressDecision.Block(EgressReasons.Malformed));

    /// <summary>
    /// Runs every rule on <paramref name="url"/>, including name resolution, and returns the verdict with the validated
    /// addresses. Never throws for a bad URL or a resolver failure (fail closed); only cancellation of <paramref name="cancellationToken"/> propagates.
    /// </summary>
    public ValueTask<EgressDecision> CheckAsync(string url, CancellationToken cancellationToken)
    {
        // :: Step 1: raw-text rules, before Uri normalises away the evidence (backslashes, %-escapes, full-width forms).
        if (!TryCheckShape(url, out Uri? uri, out string? shapeReason))
        {
            return ValueTask.FromResult(EgressDecision.Block(shapeReason));
        }

        // :: Step 2: scheme and port.
        string host = HostKey(uri);
        bool isHttps = uri.Scheme == Uri.UriSchemeHttps;
        if (isHttps)
        {
            if (uri.Port != EgressPolicy.HttpsPort)
            {
                return ValueTask.FromResult(EgressDecision.Block(EgressReasons.Port));
            }
        }
        else if (!Policy.IsHttpAllowed(host, uri.Port))
        {
            return ValueTask.FromResult(EgressDecision.Block(Policy.IsHttpHostListed(host) ? EgressReasons.Port : EgressReasons.InsecureHttp));
        }

        // :: Step 3: names, resolution and addresses.
        return CheckHostAsync(host, uri.HostNameType, uri, cancellationToken);
    }

    /// <summary>
    /// Runs the name, resolution and address rules for a connection to <paramref name="host"/> (the form
    /// <see cref="SocketsHttpConnectionContext.DnsEndPoint"/> carries: IDNA, IPv6 maybe bracketed).
    /// </summary>
    public ValueTask<EgressDecision> CheckEndpointAsync(string host, CancellationToken cancellationToken)
    {
        if (host.Contains('%'))
        {
            return ValueTask.FromResult(EgressDecision.Block(EgressReasons.ZoneId));
        }

        string trimmed = host.Trim('[', ']').ToLowerInvariant();
        UriHostNameType kind = Uri.CheckHostName(trimmed.TrimEnd('.'));
        if (kind == UriHostNameType.Unknown)
        {
            return ValueTask.FromResult(EgressDecision.Block(EgressReasons.MalformedHost));
        }

        return CheckHostAsync(trimmed, kind, null, cancellationToken);
    }

    /// <summary>The host as policy compares it: IdnHost, lower-case, without brackets; IPv6 in canonical text.</summary>
    private static string HostKey(Uri uri)
    {
        string host = uri.IdnHost.ToLowerInvariant();
        if (host.EndsWith('.') && !host.EndsWith("..", StringComparison.Ordinal))
        {
            host = host[..^1];
        }

        return host;
    }

    private async ValueTask<EgressDecision> CheckHostAsync(string host, UriHostNameType kind, Uri? target, CancellationToken cancellationToken)
    {
        if (host.EndsWith('.'))
        {
            host = host[..^1];
        }

        if (host.Length == 0 || host.EndsWith('.'))
        {
            return EgressDecision.Block(EgressReasons.MalformedHost);
        }

        // :: Names: RFC 6761 localhost names never reach a resolver.
        if (Policy.Options.EnableSsrfProtection
            && (host == "localhost" || host.EndsWith(".localhost", StringComparison.Ordinal)))
        {
            return EgressDecision.Block(EgressReasons.Localhost);
        }

        IPAddress[] addresses;
        if (kind is UriHostNameType.IPv4 or UriHostNameType.IPv6)
        {
            if (!IPAddress.TryParse(host, out IPAddress? literal))
            {
                return EgressDecision.Block(EgressReasons.MalformedHost);
            }

            addresses = [literal];
        }
        else if (LooksNumeric(host))
        {
            // A last label of digits or 0x-hex is an IPv4 literal to every resolver (inet_aton forms): parse it here,
            // and never hand a numeric-looking name that is no valid address to DNS.
            if (!IPAddress.TryParse(host, out IPAddress? numeric) || numeric.AddressFamily != AddressFamily.InterNetwork)
            {
                return EgressDecision.Block(EgressReasons.MalformedHost);
            }

            addresses = [numeric];
        }
        else
        {
            // :: Resolution: once, bounded, fail closed.
            (addresses, string? failure) = await ResolveAsync(host, cancellationToken);
            if (failure is not null)
            {
                return EgressDecision.Block(failure);
            }
        }

        // :: Addresses: one bad answer blocks the whole name (a mixed answer is how rebinding hides).
        foreach (IPAddress address in addresses)
        {
            if (Policy.ClassifyAddress(address) is { } verdict)
            {
                return EgressDecision.Block(verdict.Reason, verdict.Detail);
            }
        }

        return EgressDecision.Allow(addresses, target);
    }

    private async ValueTask<(IPAddress[] Addresses, string? Failure)> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        IPAddress[] answer;
        try
        {
            ValueTask<IPAddress[]> pending = _resolver.ResolveAsync(host, timeout.Token);
            if (pending.IsCompletedSuccessfully)
            {
                answer = pending.Result;
            }
            else
            {
                // WaitAsync on the TimeProvider gives the budget even to a resolver that ignores its token.
                answer = await pending.AsTask().WaitAsync(Policy.Options.DnsTimeout, _timeProvider, cancellationToken);
            }
        }
        catch (TimeoutException)
        {
            await timeout.CancelAsync();
            return ([], EgressReasons.DnsTimeout);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ArgumentException or IOException)
        {
            return ([], EgressReasons.DnsFailure);
        }

        return answer is null || answer.Length == 0 ? ([], EgressReasons.DnsEmpty) : (answer, null);
    }

    private static bool LooksNumeric(string host)
    {
        int lastDot = host.LastIndexOf('.');
        ReadOnlySpan<char> last = host.AsSpan(lastDot + 1);
        if (last.IsEmpty)
        {
            return false;
        }

        bool lastIsNumber = last.IndexOfAnyExceptInRange('0', '9') < 0
            || ((last.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) && last[2..].IndexOfAnyExcept(s_numericHostChars) < 0);
        return lastIsNumber;
    }

    /// <summary>The URL-shape rules on the raw text; produces the parsed <see cref="Uri"/> when they pass.</summary>
    private static bool TryCheckShape(string url, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Uri? uri, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? reason)
    {
        uri = null;
        reason = EgressReasons.Malformed;
        if (string.IsNullOrEmpty(url) || url.AsSpan().IndexOfAnyInRange('\0', ' ') >= 0 || url.Contains('\u007f'))
        {
            return false;
        }

        int colon = url.IndexOf(':');
        if (colon <= 0)
        {
            return false;
        }

        ReadOnlySpan<char> scheme = url.AsSpan(0, colon);
        if (!scheme.Equals("https", StringComparison.OrdinalIgnoreCase) && !scheme.Equals("http", StringComparison.OrdinalIgnoreCase))
        {
            reason = EgressReasons.Scheme;
            return false;
        }

        if (!url.AsSpan(colon + 1).StartsWith("//"))
        {
            return false;
        }

        int authorityStart = colon + 3;
        int authorityLength = url.AsSpan(authorityStart).IndexOfAny(s_authorityEnd);
        if (authorityLength < 0)
        {
            authorityLength = url.Length - authorityStart;
        }

        ReadOnlySpan<char> authority = url.AsSpan(authorityStart, authorityLength);
        string? mapped = null;
        if (authority.ContainsAnyExceptInRange('\0', '\u007f') && FullWidth.TryMap(authority, out string? ascii))
        {
            // Full-width and ideographic forms are folded the way UTS 46 folds them (the runtime does not under
            // InvariantGlobalization), so "１２７．０．０．１" is judged as the 127.0.0.1 a browser would see.
            mapped = ascii;
            authority = mapped;
        }

        if (authority.IsEmpty)
        {
            reason = EgressReasons.MalformedHost;
            return false;
        }

        if (authority.Contains('\\'))
        {
            reason = EgressReasons.Backslash;
            return false;
        }

        if (authority.Contains('@'))
        {
            reason = EgressReasons.UserInfo;
            return false;
        }

        int percent = authority.IndexOf('%');
        if (percent >= 0)
        {
            reason = authority[..percent].Contains('[') ? EgressReasons.ZoneId : EgressReasons.PercentEncoding;
            return false;
        }

        if (authority.ContainsAny('/', '?', '#'))
        {
            reason = EgressReasons.MalformedHost;
            return false;
        }

        string text = mapped is null ? url : string.Concat(url.AsSpan(0, authorityStart), mapped, url.AsSpan(authorityStart + authorityLength));
        if (!Uri.TryCreate(text, UriKind.Absolute, out uri) || uri.Host.Length == 0 || uri.UserInfo.Length != 0)
        {
            uri = null;
            return false;
        }

        if (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
        {
            reason = EgressReasons.Scheme;
            uri = null;
            return false;
        }

        reason = null;
        return true;
    }
}
