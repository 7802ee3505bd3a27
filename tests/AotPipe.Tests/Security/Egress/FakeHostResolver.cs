using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using AotPipe.Security.Egress;

namespace AotPipe.Tests.Security.Egress;

/// <summary>An in-memory resolver: tests never use real DNS. Each name answers by call number (for rebinding).</summary>
internal sealed class FakeHostResolver : IHostResolver
{
    public const string PublicV4 = "93.184.216.34";

    private readonly ConcurrentDictionary<string, Func<int, IPAddress[]>> _answers = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _hanging = new(StringComparer.OrdinalIgnoreCase);

    public static FakeHostResolver CreateDefault()
    {
        var resolver = new FakeHostResolver();
        resolver.Add("public.example", PublicV4);
        resolver.Add("img.test", PublicV4);
        resolver.Add("other.test", "93.184.216.35");
        resolver.Add("private.example", "10.0.0.5");
        resolver.Add("private.test", "10.0.0.5");
        resolver.Add("metadata.example", "169.254.169.254");
        resolver.Add("mixed.example", PublicV4, "127.0.0.1");
        resolver.Add("v6private.example", "fd00:ec2::254");
        resolver.Add("mapped.example", "::ffff:192.168.1.1");
        resolver.Add("localhost", "127.0.0.1");
        resolver.Set("empty.example", _ => []);
        resolver.Set("fail.example", _ => throw new SocketException((int)SocketError.HostNotFound));
        resolver.Set("rebind.test", call => call == 1 ? [IPAddress.Parse(PublicV4)] : [IPAddress.Parse("10.0.0.1")]);
        resolver.Hang("hang.example");
        return resolver;
    }

    public void Add(string host, params string[] addresses) => Set(host, _ => addresses.Select(IPAddress.Parse).ToArray());

    public void Set(string host, Func<int, IPAddress[]> answer) => _answers[host] = answer;

    public void Hang(string host)
    {
        lock (_hanging)
        {
            _hanging.Add(host);
        }
    }

    public int CallsFor(string host) => _calls.TryGetValue(host, out int count) ? count : 0;

    public ValueTask<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        int call = _calls.AddOrUpdate(host, 1, (_, c) => c + 1);
        lock (_hanging)
        {
            if (_hanging.Contains(host))
            {
                return new ValueTask<IPAddress[]>(new TaskCompletionSource<IPAddress[]>().Task);
            }
        }

        if (!_answers.TryGetValue(host, out Func<int, IPAddress[]>? answer))
        {
            return ValueTask.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound));
        }

        try
        {
            return ValueTask.FromResult(answer(call));
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<IPAddress[]>(ex);
        }
    }
}
