using System.Buffers;
using System.Text;
using System.Text.Json;
using AotPipe.Streaming;
using BenchmarkDotNet.Attributes;

namespace AotPipe.Benchmarks.Streaming;

/// <summary>
/// Translating a 2,000-delta Responses stream into chat chunks. One operation is one delta
/// (<see cref="DeltaCount"/> operations per invoke), so "Allocated" reads as bytes per delta; the output goes into a
/// reused <see cref="ArrayBufferWriter{T}"/> reset per invoke, and the translator is reused through <c>Reset</c>.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("Streaming")]
public class TranslateBenchmarks
{
    private const int DeltaCount = 2_000;

    private static readonly string[] s_words = ["The", " sky", " looks", " blue", " because", " of", " Rayleigh", " scattering:", " \\\"quoted\\\"", " —", " café\\n"];

    private readonly ArrayBufferWriter<byte> _output = new(1 << 20);
    private ReadOnlySequence<byte> _created;
    private ReadOnlySequence<byte> _completed;
    private ReadOnlySequence<byte>[] _textDeltas = [];
    private ReadOnlySequence<byte>[] _reasoningDeltas = [];
    private ReadOnlySequence<byte>[] _argumentDeltas = [];
    private ReadOnlySequence<byte> _functionAdded;
    private ChatChunkTranslator _translator = null!;

    [GlobalSetup]
    public void Setup()
    {
        // The shapes are those of tests/fixtures/openrouter/responses/stream-text-basic.sse and its siblings.
        _created = Bytes("""{"type":"response.created","response":{"id":"gen-1795690212-ClQ0Ti1JKSZP88R7FyKd","object":"response","created_at":1795690212,"model":"meta-llama/llama-3.3-70b-instruct","status":"in_progress","output":[],"tools":[],"usage":null},"sequence_number":0}""");
        _completed = Bytes("""{"type":"response.completed","response":{"id":"gen-1795690212-ClQ0Ti1JKSZP88R7FyKd","object":"response","status":"completed","output":[],"usage":{"input_tokens":44,"input_tokens_details":{"cached_tokens":0},"output_tokens":2000,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":2044,"cost":3.892e-05,"is_byok":false,"cost_details":{"upstream_inference_cost":3.892e-05,"upstream_inference_input_cost":5.72e-06,"upstream_inference_output_cost":3.32e-05}}},"sequence_number":2002}""");
        _functionAdded = Bytes("""{"type":"response.output_item.added","output_index":0,"item":{"id":"fc_7030544b241bc80e3e5e5e22eb9278a82ac93ab5d38ac76450","type":"function_call","status":"in_progress","call_id":"call_NYkRc1Y2tfWLGknsunvCAJdr","name":"get_weather","arguments":""},"sequence_number":1}""");
        _textDeltas = new ReadOnlySequence<byte>[DeltaCount];
        _reasoningDeltas = new ReadOnlySequence<byte>[DeltaCount];
        _argumentDeltas = new ReadOnlySequence<byte>[DeltaCount];
        for (var i = 0; i < DeltaCount; i++)
        {
            var word = s_words[i % s_words.Length];
            _textDeltas[i] = Bytes($$"""{"type":"response.output_text.delta","output_index":0,"item_id":"msg_tmp_knc5jbd27","content_index":0,"delta":"{{word}}","logprobs":[],"sequence_number":{{i + 1}}}""");
            _reasoningDeltas[i] = Bytes($$"""{"type":"response.reasoning_summary_text.delta","output_index":0,"item_id":"rs_848d4e793834a2f52201978ae8702a3ff95d7833a191251728","summary_index":{{i / 1000}},"delta":"{{word}}","sequence_number":{{i + 1}}}""");
            _argumentDeltas[i] = Bytes($$"""{"type":"response.function_call_arguments.delta","output_index":0,"item_id":"fc_7030544b241bc80e3e5e5e22eb9278a82ac93ab5d38ac76450","delta":"{{word}}","sequence_number":{{i + 2}}}""");
        }

        _translator = new ChatChunkTranslator(TimeProvider.System, "meta-llama/llama-3.3-70b-instruct", includeUsage: true, "req-1");

        // Warm the reusable buffers (prefix, JSON writer) once, as a pooled instance would be.
        TextStream();
    }

    /// <summary>Baseline: only tokenising the same 2,000 text delta payloads, writing nothing.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = DeltaCount)]
    public int ReaderOnly()
    {
        var tokens = 0;
        foreach (var delta in _textDeltas)
        {
            var reader = new Utf8JsonReader(delta.FirstSpan);
            while (reader.Read())
            {
                tokens++;
            }
        }

        return tokens;
    }

    /// <summary>created + 2,000 output_text deltas + completed + finish/usage/[DONE].</summary>
    [Benchmark(OperationsPerInvoke = DeltaCount)]
    public int TextStream() => Run(_textDeltas, opening: default);

    /// <summary>created + 2,000 reasoning summary deltas over two parts + completed.</summary>
    [Benchmark(OperationsPerInvoke = DeltaCount)]
    public int ReasoningStream() => Run(_reasoningDeltas, opening: default);

    /// <summary>created + a function call opening + 2,000 argument deltas + completed.</summary>
    [Benchmark(OperationsPerInvoke = DeltaCount)]
    public int ToolArgumentStream() => Run(_argumentDeltas, _functionAdded);

    private int Run(ReadOnlySequence<byte>[] deltas, ReadOnlySequence<byte> opening)
    {
        _output.ResetWrittenCount();
        _translator.Reset("meta-llama/llama-3.3-70b-instruct", includeUsage: true, "req-1");
        _translator.OnEvent(_created, _output);
        if (!opening.IsEmpty)
        {
            _translator.OnEvent(opening, _output);
        }

        foreach (var delta in deltas)
        {
            _translator.OnEvent(delta, _output);
        }

        _translator.OnEvent(_completed, _output);
        _translator.WriteCompletion(_output);
        return _output.WrittenCount;
    }

    private static ReadOnlySequence<byte> Bytes(string json) => new(Encoding.UTF8.GetBytes(json));
}
