using System.Buffers;
using System.Text;
using System.Text.Json;
using AotPipe.Artifacts.Codecs;
using BenchmarkDotNet.Attributes;

namespace AotPipe.Benchmarks.Artifacts;

/// <summary>
/// LZ4 frame versus Zstandard on realistic artifacts: the reasoning items (<c>response.output_item.done</c>) of the
/// recorded OpenRouter streams, each compressed on its own as the payload codec does. The size ratio is printed by
/// the setup (look for "ratio" in the log).
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("Artifacts")]
public class ArtifactCompressionBenchmarks
{
    private byte[][] _items = [];
    private byte[][] _frames = [];
    private byte[] _scratch = [];

    /// <summary>The codec under test.</summary>
    [Params("Lz4", "Zstd")]
    public string Codec { get; set; } = "Lz4";

    [GlobalSetup]
    public void Setup()
    {
        _items = LoadReasoningItems();
        _scratch = new byte[_items.Max(i => Math.Max(Lz4FrameCodec.GetMaxCompressedLength(i.Length), ZstdCodec.GetMaxCompressedLength(i.Length)))];
        _frames = _items.Select(i => _scratch.AsSpan(0, CompressOne(i)).ToArray()).ToArray();
        long raw = _items.Sum(i => (long)i.Length);
        long packed = _frames.Sum(f => (long)f.Length);
        Console.WriteLine($"// {Codec}: {_items.Length} items, {raw} B -> {packed} B, ratio {(double)raw / packed:F2}");
    }

    [Benchmark]
    public int Compress()
    {
        int total = 0;
        foreach (byte[] item in _items)
        {
            total += CompressOne(item);
        }

        return total;
    }

    [Benchmark]
    public int Decompress()
    {
        int total = 0;
        foreach (byte[] frame in _frames)
        {
            OperationStatus status = Codec == "Lz4" ? Lz4FrameCodec.Decompress(frame, out byte[] output) : ZstdCodec.Decompress(frame, out output);
            total += status == OperationStatus.Done ? output.Length : -1;
        }

        return total;
    }

    private int CompressOne(byte[] item) => Codec == "Lz4" ? Lz4FrameCodec.Compress(item, _scratch) : ZstdCodec.Compress(item, _scratch);

    private static byte[][] LoadReasoningItems()
    {
        List<byte[]> items = [];
        foreach (string path in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "fixtures", "openrouter", "responses"), "*.sse").Order(StringComparer.Ordinal))
        {
            foreach (string line in File.ReadLines(path))
            {
                string trimmed = line.TrimEnd('\r');
                if (!trimmed.StartsWith("data: {", StringComparison.Ordinal))
                {
                    continue;
                }

                using JsonDocument doc = JsonDocument.Parse(trimmed["data: ".Length..]);
                if (doc.RootElement.GetProperty("type").GetString() == "response.output_item.done"
                    && doc.RootElement.GetProperty("item").GetProperty("type").GetString() == "reasoning")
                {
                    items.Add(Encoding.UTF8.GetBytes(doc.RootElement.GetProperty("item").GetRawText()));
                }
            }
        }

        return [.. items];
    }
}
