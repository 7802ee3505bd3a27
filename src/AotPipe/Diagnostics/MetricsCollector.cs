using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace AotPipe.Diagnostics;

/// <summary>
/// Aggregates the <see cref="GatewayMetrics"/> instruments with a <see cref="MeterListener"/> and renders them in the
/// Prometheus text exposition format (version 0.0.4). Hand-written: no package, no reflection, AOT-clean.
/// </summary>
/// <remarks>Measurements arrive once per request (never per streamed event), so one lock around a dictionary is cheap
/// next to the request itself. A measurement finds its series by the tag values it carries (<see cref="TagKey"/>), so the
/// label text is built once per series, not once per measurement (perf-reports/metrics.md).</remarks>
internal sealed class MetricsCollector : IDisposable
{
    /// <summary>Upper bounds (seconds) of the latency histograms; chosen for first-token times and long streams.</summary>
    public static readonly double[] BucketBounds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

    private readonly MeterListener _listener = new();
    private readonly Lock _lock = new();
    private readonly Dictionary<(Instrument Instrument, string Labels), Series> _series = [];
    private readonly Dictionary<TagKey, Series> _seriesByTags = [];

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
        if (TagKey.TryCreate(instrument, tags, out var key))
        {
            lock (_lock)
            {
                if (!_seriesByTags.TryGetValue(key, out var series))
                {
                    series = SeriesFor(instrument, LabelsOf(tags));
                    _seriesByTags.Add(key, series);
                }

                series.Add(value);
            }

            return;
        }

        var labels = LabelsOf(tags);
        lock (_lock)
        {
            SeriesFor(instrument, labels).Add(value);
        }
    }

    /// <summary>The series of a label text; the same labels in another tag order share it. Called under the lock.</summary>
    private Series SeriesFor(Instrument instrument, string labels)
    {
        if (!_series.TryGetValue((instrument, labels), out var series))
        {
            series = new Series(instrument is Histogram<double> or Histogram<long> ? new long[BucketBounds.Length] : null);
            _series.Add((instrument, labels), series);
        }

        return series;
    }

    private sealed class Series(long[]? buckets)
    {
        public double Sum { get; set; }

        public long Count { get; set; }

        public long[]? Buckets { get; } = buckets;

        public Series Clone() => new(Buckets is null ? null : (long[])Buckets.Clone()) { Sum = Sum, Count = Count };

        public void Add(double value)
        {
            Sum += value;
            Count++;
            if (Buckets is { } buckets)
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

    /// <summary>
    /// An instrument and up to two tags, compared by value: the lookup key of a series that needs no label text.
    /// </summary>
    /// <remarks>Only immutable values qualify (strings, integers, booleans, null), so a stored key can never change under
    /// the dictionary; any other measurement takes the label-text path.</remarks>
    private readonly struct TagKey : IEquatable<TagKey>
    {
        private readonly Instrument _instrument;
        private readonly string? _key0;
        private readonly object? _value0;
        private readonly string? _key1;
        private readonly object? _value1;

        private TagKey(Instrument instrument, string? key0, object? value0, string? key1, object? value1)
        {
            _instrument = instrument;
            _key0 = key0;
            _value0 = value0;
            _key1 = key1;
            _value1 = value1;
        }

        public static bool TryCreate(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags, out TagKey key)
        {
            key = default;
            switch (tags.Length)
            {
                case 0:
                    key = new TagKey(instrument, null, null, null, null);
                    return true;
                case 1 when IsImmutable(tags[0].Value):
                    key = new TagKey(instrument, tags[0].Key, tags[0].Value, null, null);
                    return true;
                case 2 when IsImmutable(tags[0].Value) && IsImmutable(tags[1].Value):
                    key = new TagKey(instrument, tags[0].Key, tags[0].Value, tags[1].Key, tags[1].Value);
                    return true;
                default:
                    return false;
            }
        }

        public bool Equals(TagKey other) =>
            ReferenceEquals(_instrument, other._instrument)
            && string.Equals(_key0, other._key0, StringComparison.Ordinal)
            && Equals(_value0, other._value0)
            && string.Equals(_key1, other._key1, StringComparison.Ordinal)
            && Equals(_value1, other._value1);

        public override bool Equals(object? obj) => obj is TagKey other && Equals(other);

        public override int GetHashCode() => HashCode.Combine(_instrument, _key0, _value0, _key1, _value1);

        private static bool IsImmutable(object? value) => value is null or string or int or long or bool;
    }
}
