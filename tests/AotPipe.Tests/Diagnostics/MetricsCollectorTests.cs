using System.Diagnostics.Metrics;
using System.Text;
using AotPipe.Diagnostics;
using Xunit;

namespace AotPipe.Tests.Diagnostics;

public sealed class MetricsCollectorTests
{
    [Fact]
    public void HistogramAndCounter_RenderedInExpositionFormat()
    {
        // A private meter with the gateway's name keeps this test independent of other tests' traffic.
        using var meter = new Meter(GatewayMetrics.MeterName);
        var counter = meter.CreateCounter<long>("test_unit_counter_" + Guid.NewGuid().ToString("N"));
        var histogram = meter.CreateHistogram<double>("test_unit_seconds_" + Guid.NewGuid().ToString("N"));
        using var collector = new MetricsCollector();

        counter.Add(2, new KeyValuePair<string, object?>("tenant", "a\"b"));
        counter.Add(3, new KeyValuePair<string, object?>("tenant", "a\"b"));
        histogram.Record(0.005);
        histogram.Record(0.3);
        histogram.Record(1000);
        var text = new StringBuilder();
        collector.Render(text);
        var output = text.ToString();

        Assert.Contains($"# TYPE {counter.Name}_total counter\n", output, StringComparison.Ordinal);
        Assert.Contains($"{counter.Name}_total{{tenant=\"a\\\"b\"}} 5\n", output, StringComparison.Ordinal);
        Assert.Contains($"# TYPE {histogram.Name} histogram\n", output, StringComparison.Ordinal);
        Assert.Contains($"{histogram.Name}_bucket{{le=\"0.005\"}} 1\n", output, StringComparison.Ordinal);
        Assert.Contains($"{histogram.Name}_bucket{{le=\"0.25\"}} 1\n", output, StringComparison.Ordinal);
        Assert.Contains($"{histogram.Name}_bucket{{le=\"0.5\"}} 2\n", output, StringComparison.Ordinal);
        Assert.Contains($"{histogram.Name}_bucket{{le=\"300\"}} 2\n", output, StringComparison.Ordinal);
        Assert.Contains($"{histogram.Name}_bucket{{le=\"+Inf\"}} 3\n", output, StringComparison.Ordinal);
        Assert.Contains($"{histogram.Name}_count 3\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public void EscapeLabel_EscapesBackslashQuoteNewline() =>
        Assert.Equal("a\\\\b\\\"c\\nd", MetricsCollector.EscapeLabel("a\\b\"c\nd"));
}
