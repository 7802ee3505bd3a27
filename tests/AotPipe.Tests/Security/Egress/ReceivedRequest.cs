namespace AotPipe.Tests.Security.Egress;

/// <summary>What the loopback server saw of one request.</summary>
internal sealed record ReceivedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers)
{
    public string Host => Headers.TryGetValue("Host", out string? host) ? host : "";
}
