using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace AotPipe.Diagnostics;

/// <summary>
/// Aggregates the <see cref="GatewayMetrics"/> instruments with a <see cref="MeterListener"/> and renders them in the
/// Prometheus text exposition format (version 0.0.4). Hand-written: no package, no reflection, AOT-clean.
/// </summary>
/// <remarks>Measurements arrive once per request (never per streamed event), so one lock around a dictionary is cheap
/// next to the request itself.</remarks>
internal sealed class MetricsCollector : IDisposable
{
    /// <summary>Upper bounds (seconds) of the latency histograms; chosen for first-token times and long streams.</summary>
    public static readonly double[] BucketBounds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

    private readonly MeterListener _listener = new();
    private readonly Lock _lock = new();
    private readonly Dictionary<(Instrument Instrument, string Labels), Series> _series = [];

    /// <summary>Creates the collector and starts listening to <see cref="GatewayMetrics.Meter"/>.</summary>
    public MetricsCollector()
    {
        _listener.InstrumentPublished = static (instrument, listener) =>
        {
            if (instrument.Meter.Name == GatewayMetrics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>Appends every aggregated series to <paramref name="output"/>.</summary>
    public void Render(StringBuilder output)
    {
        List<KeyValuePair<(Instrument Instrument, string Labels), Series>> snapshot;
        lock (_lock)
        {
            snapshot = new(_series.Count);
            foreach (var pair in _series)
            {
                snapshot.Add(new(pair.Key, pair.Value.Clone()));
            }
        }

        snapshot.Sort(static (a, b) =>
        {
            var byName = string.CompareOrdinal(a.Key.Instrument.Name, b.Key.Instrument.Name);
            return byName != 0 ? byName : string.CompareOrdinal(a.Key.Labels, b.Key.Labels);
        });

        Instrument? current = null;
        foreach (var (key, series) in snapshot)
        {
            var instrument = key.Instrument;
            var isCounter = instrument is Counter<long> or Counter<double>;
            var isHistogram = instrument is Histogram<double> or Histogram<long>;
            var name = isCounter ? instrument.Name + "_total" : instrument.Name;
            if (!ReferenceEquals(current, instrument))
            {
                current = instrument;
                WriteHeader(output, name, instrument.Description, isCounter ? "counter" : isHistogram ? "histogram" : "gauge");
            }

            if (isHistogram)
            {
                long cumulative = 0;
                for (var i = 0; i < BucketBounds.Length; i++)
                {
                    cumulative += series.Buckets![i];
                    WriteSample(output, name + "_bucket", Join(key.Labels, "le=\"" + Format(BucketBounds[i]) + "\""), cumulative);
                }

                WriteSample(output, name + "_bucket", Join(key.Labels, "le=\"+Inf\""), series.Count);
                WriteSample(output, name + "_sum", key.Labels, series.Sum);
                WriteSample(output, name + "_count", key.Labels, series.Count);
            }
            else
            {
                WriteSample(output, name, key.Labels, series.Sum);
            }
        }
    }

    /// <summary>Writes a <c># HELP</c> and <c># TYPE</c> pair.</summary>
    public static void WriteHeader(StringBuilder output, string name, string? help, string type)
    {
        output.Append("# HELP ").Append(name).Append(' ').Append(help ?? name).Append('\n');
        output.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
    }

    /// <summary>Writes one sample line; <paramref name="labels"/> is already escaped (<c>a="b",c="d"</c>) or empty.</summary>
    public static void WriteSample(StringBuilder output, string name, string labels, double value)
    {
        output.Append(name);
        if (labels.Length > 0)
        {
            output.Append('{').Append(labels).Append('}');
        }

        output.Append(' ').Append(Format(value)).Append('\n');
    }

    /// <summary>Escapes a label value: backslash, double quote and line feed (exposition format rules).</summary>
    public static string EscapeLabel(string value) =>
        value.AsSpan().IndexOfAny("\\\"\n") < 0 ? value : value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();

    private static string Format(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf" : value.ToString("R", CultureInfo.InvariantCulture);

    private static string Join(string labels, string extra) => labels.Length == 0 ? extra : labels + "," + extra;

    private static string LabelsOf(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.IsEmpty)
        {
            return string.Empty;
        }

        var text = new StringBuilder();
        foreach (var tag in tags)
        {
            if (text.Length > 0)
            {
                text.Append(',');
            }

            var value = tag.Value switch
            {
                null => string.Empty,
                int number => number.ToString(CultureInfo.InvariantCulture),
                IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
                _ => tag.Value.ToString() ?? string.Empty,
            };
            text.Append(tag.Key).Append("=\"").Append(EscapeLabel(value)).Append('"');
        }

        return text.ToString();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = LabelsOf(tags);
        var isHistogram = instrument is Histogram<double> or Histogram<long>;
        lock (_lock)
        {
            if (!_series.TryGetValue((instrument, labels), out var series))
            {
                series = new Series(isHistogram ? new long[BucketBounds.Length] : null);
                _series.Add((instrument, labels), series);
            }

            series.Sum += value;
            series.Count++;
            if (series.Buckets is { } buckets)
            {
                var index = Array.BinarySearch(BucketBounds, value);
                index = index < 0 ? ~index : index;
                if (index < buckets.Length)
                {
                    buckets[index]++;
                }
            }
        }
    }

    private sealed class Series(long[]? buckets)
    {
        public double Sum { get; set; }

        public long Count { get; set; }

        public long[]? Buckets { get; } = buckets;

        public Series Clone() => new(Buckets is null ? null : (long[])Buckets.Clone()) { Sum = Sum, Count = Count };
    }
}
