using System.Net;
using System.Text;
using AotPipe.Ingestion;
using AotPipe.Security.Egress;
using BenchmarkDotNet.Attributes;

namespace AotPipe.Benchmarks.Ingestion;

/// <summary>The per-part costs of ingestion: the URL policy check and the decoded-size estimate of a large data URL.</summary>
[MemoryDiagnoser]
[BenchmarkCategory("Ingestion")]
public class IngestionBenchmarks
{
    private const int PayloadBytes = 10 * 1024 * 1024;

    private EgressGuard _guard = null!;
    private string _dataUrl = null!;
    private byte[] _dataUrlUtf8 = null!;
    private int _payloadStart;

    [GlobalSetup]
    public void Setup()
    {
        _guard = new EgressGuard(new EgressPolicy(new EgressOptions()), new CachedResolver(), TimeProvider.System);
        var payload = new byte[PayloadBytes];
        new Random(42).NextBytes(payload);
        _dataUrl = "data:image/png;base64," + Convert.ToBase64String(payload);
        _dataUrlUtf8 = Encoding.ASCII.GetBytes(_dataUrl);
        _payloadStart = _dataUrl.IndexOf(',') + 1;
    }

    /// <summary>Parse plus every policy rule, with a resolver that answers from memory (the DNS cache case).</summary>
    [Benchmark]
    public async ValueTask<bool> CheckUrl() =>
        (await _guard.CheckAsync("https://images.example.com/a/b/cat.png?size=large", CancellationToken.None)).IsAllowed;

    /// <summary>A literal address that the deny list rejects (no resolver call).</summary>
    [Benchmark]
    public async ValueTask<bool> CheckUrlBlockedLiteral() =>
        (await _guard.CheckAsync("https://[::ffff:169.254.169.254]/latest/meta-data", CancellationToken.None)).IsAllowed;

    /// <summary>Decoded-size estimate over the 10 MB payload held as a string: no decoding, no copy.</summary>
    [Benchmark]
    public long EstimateBase64Size() => DataUrl.EstimateDecodedLength(_dataUrl.AsSpan(_payloadStart));

    /// <summary>The same over the raw UTF-8 bytes of a parsed JSON value.</summary>
    [Benchmark]
    public long EstimateBase64SizeUtf8() => DataUrl.EstimateDecodedLength(_dataUrlUtf8.AsSpan(_payloadStart));

    /// <summary>Header parse (allocates the media type string) plus the estimate.</summary>
    [Benchmark]
    public long ParseAndEstimate()
    {
        DataUrl.TryParse(_dataUrl, out _, out bool isBase64, out int start);
        return DataUrl.EstimateDecodedLength(_dataUrl, isBase64, start);
    }

    private sealed class CachedResolver : IHostResolver
    {
        private readonly IPAddress[] _answer = [IPAddress.Parse("93.184.216.34"), IPAddress.Parse("2606:2800:220:1:248:1893:25c8:1946")];

        public ValueTask<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) => ValueTask.FromResult(_answer);
    }
}
