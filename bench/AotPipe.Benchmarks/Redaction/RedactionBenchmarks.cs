using System.Buffers;
using System.Text;
using AotPipe.Redaction;
using BenchmarkDotNet.Attributes;

namespace AotPipe.Benchmarks.Redaction;

/// <summary>
/// Redaction throughput against the floor of one vectorised <c>Span.IndexOf("data:")</c> pass over the same bytes.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("Redaction")]
public class RedactionBenchmarks
{
    private readonly Base64Redactor _redactor = new();
    private byte[] _input = [];
    private ArrayBufferWriter<byte> _output = new();

    /// <summary>The shape of the logged text.</summary>
    [Params("NoDataUrl", "OneLargeDataUrl", "ManySmallDataUrls")]
    public string Input { get; set; } = "NoDataUrl";

    [GlobalSetup]
    public void Setup()
    {
        _input = Input switch
        {
            "NoDataUrl" => Encoding.UTF8.GetBytes(ChatJson(1024 * 1024, dataUrlEvery: 0)),
            "OneLargeDataUrl" => Encoding.UTF8.GetBytes("{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64," + Base64(10 * 1024 * 1024) + "\"}}]}"),
            _ => Encoding.UTF8.GetBytes(ChatJson(1024 * 1024, dataUrlEvery: 4)),
        };
        _output = new ArrayBufferWriter<byte>(_input.Length + 1024);
    }

    /// <summary>The floor: one pass of the runtime's vectorised substring search.</summary>
    [Benchmark(Baseline = true)]
    public int IndexOfFloor()
    {
        ReadOnlySpan<byte> span = _input;
        int count = 0;
        int at;
        while ((at = span.IndexOf("data:"u8)) >= 0)
        {
            count++;
            span = span[(at + 5)..];
        }

        return count;
    }

    /// <summary>The candidate scan alone (what a log call pays to learn that nothing needs redacting).</summary>
    [Benchmark]
    public bool ContainsCandidate() => Base64Redactor.ContainsCandidate(_input);

    /// <summary>A plain copy into the same writer: what any pass-through to an <see cref="IBufferWriter{T}"/> pays.</summary>
    [Benchmark]
    public int CopyOnly()
    {
        _output.ResetWrittenCount();
        _output.Write(_input);
        return _output.WrittenCount;
    }

    /// <summary>The whole input through the redactor in one call.</summary>
    [Benchmark]
    public int Redact()
    {
        _output.ResetWrittenCount();
        _redactor.Redact(_input, _output, isFinalBlock: true);
        return _output.WrittenCount;
    }

    /// <summary>The whole input in 16 KiB chunks, as a log stream sees it.</summary>
    [Benchmark]
    public int RedactChunked()
    {
        _output.ResetWrittenCount();
        ReadOnlySpan<byte> span = _input;
        while (span.Length > 16 * 1024)
        {
            _redactor.Redact(span[..(16 * 1024)], _output, isFinalBlock: false);
            span = span[(16 * 1024)..];
        }

        _redactor.Redact(span, _output, isFinalBlock: true);
        return _output.WrittenCount;
    }

    private static string Base64(int length)
    {
        byte[] raw = new byte[length / 4 * 3];
        new Random(1).NextBytes(raw);
        return Convert.ToBase64String(raw);
    }

    /// <summary>Chat-completions-like JSON: messages with prose, ids and colons; every n-th message carries a small image.</summary>
    private static string ChatJson(int size, int dataUrlEvery)
    {
        var builder = new StringBuilder(size + 4096);
        builder.Append("{\"model\":\"openai/gpt-5\",\"stream\":true,\"messages\":[");
        string smallImage = Base64(600);
        for (int i = 0; builder.Length < size; i++)
        {
            builder.Append("{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Read the attached data and summarise the findings; ")
                .Append("the dataset has ").Append(i).Append(" rows, updated daily. Details: id=d").Append(i).Append(", mode:debug\"}");
            if (dataUrlEvery > 0 && i % dataUrlEvery == 0)
            {
                builder.Append(",{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/jpeg;base64,").Append(smallImage).Append("\"}}");
            }

            builder.Append("]},");
        }

        builder.Append("{\"role\":\"assistant\",\"content\":\"done\"}]}");
        return builder.ToString();
    }
}
