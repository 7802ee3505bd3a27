using AotPipe.Diagnostics;
using BenchmarkDotNet.Attributes;

namespace AotPipe.Benchmarks.Diagnostics;

/// <summary>
/// What <c>/metrics</c> costs a request: every measurement the gateway takes when a streamed request ends, aggregated by
/// the <see cref="MetricsCollector"/> that <c>GET /metrics</c> renders (perf-reports/metrics.md).
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("Metrics")]
public class MetricsBenchmarks
{
    private MetricsCollector _collector = null!;

    [GlobalSetup]
    public void Setup() => _collector = new MetricsCollector();

    [GlobalCleanup]
    public void Cleanup() => _collector.Dispose();

    /// <summary>One streamed <c>POST /v1/responses</c> that ended with 200: eight measurements on seven series.</summary>
    [Benchmark]
    public void StreamedRequest()
    {
        GatewayMetrics.StreamsInFlight.Add(1);
        GatewayMetrics.RecordRequest("/v1/responses", 200, "default", 52, 18_400, 0.004, 1.25);
    }
}
