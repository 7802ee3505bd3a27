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
        var output = Render(collector);

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
    public void SameLabelsInAnotherTagOrder_OneSeries()
    {
        using var meter = new Meter(GatewayMetrics.MeterName);
        var counter = meter.CreateCounter<long>("test_unit_order_" + Guid.NewGuid().ToString("N"));
        using var collector = new MetricsCollector();

        counter.Add(1, new("route", "/v1/responses"), new("status", 200));
        counter.Add(2, new("status", 200), new("route", "/v1/responses"));
        counter.Add(4, new("route", "/v1/responses"), new("status", "200"));

        var output = Render(collector);
        Assert.Contains($"{counter.Name}_total{{route=\"/v1/responses\",status=\"200\"}} 5\n", output, StringComparison.Ordinal);
        Assert.Contains($"{counter.Name}_total{{status=\"200\",route=\"/v1/responses\"}} 2\n", output, StringComparison.Ordinal);
        Assert.Single(output.Split('\n'), line => line.StartsWith(counter.Name + "_total{route=", StringComparison.Ordinal));
    }

    [Fact]
    public void TagValuesThatAreNotPlainValues_StillAggregatedByTheirText()
    {
        using var meter = new Meter(GatewayMetrics.MeterName);
        var counter = meter.CreateCounter<long>("test_unit_values_" + Guid.NewGuid().ToString("N"));
        var histogram = meter.CreateHistogram<double>("test_unit_three_tags_" + Guid.NewGuid().ToString("N"));
        using var collector = new MetricsCollector();

        // A double and a mutable object are read as text, three tags take the same path: each is one series.
        counter.Add(1, new KeyValuePair<string, object?>("ratio", 0.5));
        counter.Add(1, new KeyValuePair<string, object?>("ratio", 0.5));
        var label = new StringBuilder("a");
        counter.Add(1, new KeyValuePair<string, object?>("text", label));
        label.Append('b');
        counter.Add(1, new KeyValuePair<string, object?>("text", label));
        histogram.Record(0.2, new("a", "1"), new("b", 2), new("c", true));
        histogram.Record(0.4, new("a", "1"), new("b", 2), new("c", true));

        var output = Render(collector);
        Assert.Contains($"{counter.Name}_total{{ratio=\"0.5\"}} 2\n", output, StringComparison.Ordinal);
        Assert.Contains($"{counter.Name}_total{{text=\"a\"}} 1\n", output, StringComparison.Ordinal);
        Assert.Contains($"{counter.Name}_total{{text=\"ab\"}} 1\n", output, StringComparison.Ordinal);
        Assert.Contains($"{histogram.Name}_count{{a=\"1\",b=\"2\",c=\"True\"}} 2\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public void RecordRequest_EveryMeasurementOfAStreamedRequest()
    {
        using var collector = new MetricsCollector();
        var route = "/test/" + Guid.NewGuid().ToString("N");

        for (var i = 0; i < 3; i++)
        {
            GatewayMetrics.StreamsInFlight.Add(1);
            GatewayMetrics.RecordRequest(route, 200, "default", 10, 100, 0.004, 1.5);
        }

        GatewayMetrics.RecordRequest(route, 429, "default", 7, 0, null, null);

        var output = Render(collector);
        Assert.Contains($"aotpipe_requests_total{{route=\"{route}\",status=\"200\"}} 3\n", output, StringComparison.Ordinal);
        Assert.Contains($"aotpipe_requests_total{{route=\"{route}\",status=\"429\"}} 1\n", output, StringComparison.Ordinal);
        Assert.Contains($"aotpipe_relayed_bytes_total{{route=\"{route}\",direction=\"in\"}} 37\n", output, StringComparison.Ordinal);
        Assert.Contains($"aotpipe_relayed_bytes_total{{route=\"{route}\",direction=\"out\"}} 300\n", output, StringComparison.Ordinal);
        Assert.Contains($"aotpipe_time_to_first_event_seconds_bucket{{route=\"{route}\",le=\"0.005\"}} 3\n", output, StringComparison.Ordinal);
        Assert.Contains($"aotpipe_time_to_first_event_seconds_count{{route=\"{route}\"}} 3\n", output, StringComparison.Ordinal);
        Assert.Contains($"aotpipe_stream_duration_seconds_bucket{{route=\"{route}\",le=\"1\"}} 0\n", output, StringComparison.Ordinal);
        Assert.Contains($"aotpipe_stream_duration_seconds_bucket{{route=\"{route}\",le=\"2.5\"}} 3\n", output, StringComparison.Ordinal);
        Assert.Contains($"aotpipe_stream_duration_seconds_sum{{route=\"{route}\"}} 4.5\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public void EscapeLabel_EscapesBackslashQuoteNewline() =>
        Assert.Equal("a\\\\b\\\"c\\nd", MetricsCollector.EscapeLabel("a\\b\"c\nd"));

    private static string Render(MetricsCollector collector)
    {
        var text = new StringBuilder();
        collector.Render(text);
        return text.ToString();
    }
}
