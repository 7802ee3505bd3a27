using System.Collections.Concurrent;

namespace AotPipe.Tests.Ingestion;

/// <summary>Upstream faked at the HttpMessageHandler level: answers synchronously and records the fake time of each call.</summary>
internal sealed class FakeHttpHandler : HttpMessageHandler
{
    private readonly Func<HttpRequestMessage, int, HttpResponseMessage> _respond;
    private readonly TimeProvider _time;
    private int _calls;

    public FakeHttpHandler(TimeProvider time, Func<HttpRequestMessage, int, HttpResponseMessage> respond)
    {
        _time = time;
        _respond = respond;
    }

    public ConcurrentQueue<(DateTimeOffset At, Uri Uri)> Calls { get; } = new();

    public int CallCount => Volatile.Read(ref _calls);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        int call = Interlocked.Increment(ref _calls);
        Calls.Enqueue((_time.GetUtcNow(), request.RequestUri!));
        try
        {
            return Task.FromResult(_respond(request, call));
        }
        catch (Exception ex)
        {
            return Task.FromException<HttpResponseMessage>(ex);
        }
    }
}
