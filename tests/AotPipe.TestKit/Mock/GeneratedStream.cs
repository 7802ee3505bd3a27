using System.Globalization;
using System.Text;

namespace AotPipe.TestKit.Mock;

/// <summary>Deterministic OpenRouter-like streams for load runs: <c>mock/gen-&lt;events&gt;-&lt;interval ms&gt;[-r]</c>.</summary>
/// <remarks>Shapes and sizes follow stream-text-basic.sse: keep-alive comments first, <c>response.created</c>, a message
/// item, N <c>output_text.delta</c> events of ~16 B text, a comment every 50 deltas, <c>response.completed</c>, <c>[DONE]</c>.
/// The <c>-r</c> form first streams a reasoning item shaped like stream-reasoning-summary.sse (one summary part in two
/// deltas, then <c>output_item.done</c> with ~1.1 KB of incompressible <c>encrypted_content</c>), moves the message to output
/// index 1 and closes it with its own <c>output_item.done</c>: <see cref="ReasoningExtraEvents"/> more events, and a
/// gateway that persists artifacts stores one item per stream.</remarks>
public static class GeneratedStream
{
    /// <summary>Builds the events for a <c>mock/gen-N-MS</c> model name.</summary>
    /// <summary>Events the <c>-r</c> form adds to the plain form: seven for the reasoning item, one message <c>output_item.done</c>.</summary>
    public const int ReasoningExtraEvents = 8;

    private const string ReasoningId = "rs_bench00000000000000000000000000000000000000000000";
    private const string ReasoningSummary = "**Planning the answer**\\n\\nCounting the tokens the benchmark expects, in order.";

    /// <summary>Builds the events for a <c>mock/gen-N-MS[-r]</c> model name.</summary>
    public static IReadOnlyList<byte[]> Create(string model)
    {
        var (count, _, reasoning) = Parse(model);
        var events = new List<byte[]>(count + 8 + (reasoning ? ReasoningExtraEvents : 0));
        const string Id = "gen-1700000000-BENCHMARKSTREAM0001";
        const string ItemId = "msg_tmp_bench0000000000000000000";
        var seq = 0;
        var messageIndex = reasoning ? 1 : 0;
        events.Add(Encoding.UTF8.GetBytes(": OPENROUTER PROCESSING\n\n"));
        events.Add(Data($$"""{"type":"response.created","response":{"id":"{{Id}}","object":"response","created_at":1700000000,"model":"mock/gen","status":"in_progress","output":[],"usage":null},"sequence_number":{{seq++}}}"""));
        var reasoningItem = string.Empty;
        if (reasoning)
        {
            reasoningItem = AddReasoning(events, ref seq);
        }

        events.Add(Data($$"""{"type":"response.output_item.added","output_index":{{messageIndex}},"item":{"type":"message","id":"{{ItemId}}","role":"assistant","status":"in_progress","content":[]},"sequence_number":{{seq++}}}"""));
        var text = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            var delta = string.Create(CultureInfo.InvariantCulture, $"token {i:D6} abc ");
            text.Append(delta);
            events.Add(Data($$"""{"type":"response.output_text.delta","item_id":"{{ItemId}}","output_index":{{messageIndex}},"content_index":0,"delta":"{{delta}}","sequence_number":{{seq++}}}"""));
            if (i % 50 == 49)
            {
                events.Add(Encoding.UTF8.GetBytes(": OPENROUTER PROCESSING\n\n"));
            }
        }

        var message = "{\"type\":\"message\",\"id\":\"" + ItemId + "\",\"role\":\"assistant\",\"status\":\"completed\",\"content\":[{\"type\":\"output_text\",\"text\":\"" + text + "\",\"annotations\":[]}]}";
        if (reasoning)
        {
            events.Add(Data("{\"type\":\"response.output_item.done\",\"output_index\":1,\"item\":" + message + ",\"sequence_number\":" + (seq++).ToString(CultureInfo.InvariantCulture) + "}"));
        }

        var completed = "{\"type\":\"response.completed\",\"response\":{\"id\":\"" + Id + "\",\"object\":\"response\",\"created_at\":1700000000,\"model\":\"mock/gen\",\"status\":\"completed\",\"output\":["
            + (reasoning ? reasoningItem + "," : string.Empty) + message + "],\"usage\":{\"input_tokens\":10,\"output_tokens\":"
            + count.ToString(CultureInfo.InvariantCulture) + ",\"total_tokens\":" + (count + 10).ToString(CultureInfo.InvariantCulture) + ",\"cost\":0.0001}},\"sequence_number\":" + seq.ToString(CultureInfo.InvariantCulture) + "}";
        events.Add(Data(completed));
        events.Add(Encoding.UTF8.GetBytes("data: [DONE]\n\n"));
        return events;
    }

    /// <summary>The interval encoded in a <c>mock/gen-N-MS[-r]</c> model name.</summary>
    public static TimeSpan IntervalOf(string model) => TimeSpan.FromMilliseconds(Parse(model).IntervalMs);

    private static (int Count, int IntervalMs, bool Reasoning) Parse(string model)
    {
        var parts = model["mock/gen-".Length..].Split('-');
        var count = parts.Length > 0 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out var c) ? c : 300;
        var interval = parts.Length > 1 && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var ms) ? ms : 10;
        return (count, interval, parts.Length > 2 && parts[2] == "r");
    }

    /// <summary>Adds the reasoning item's events; returns the completed item's JSON for <c>response.completed</c>.</summary>
    private static string AddReasoning(List<byte[]> events, ref int seq)
    {
        const string Part1 = "**Planning the answer**";
        var part2 = ReasoningSummary[Part1.Length..];
        events.Add(Data($$"""{"type":"response.output_item.added","output_index":0,"item":{"id":"{{ReasoningId}}","type":"reasoning","status":"in_progress","summary":[]},"sequence_number":{{seq++}}}"""));
        events.Add(Data($$"""{"type":"response.reasoning_summary_part.added","output_index":0,"item_id":"{{ReasoningId}}","summary_index":0,"part":{"type":"summary_text","text":""},"sequence_number":{{seq++}}}"""));
        events.Add(Data($$"""{"type":"response.reasoning_summary_text.delta","output_index":0,"item_id":"{{ReasoningId}}","summary_index":0,"delta":"{{Part1}}","sequence_number":{{seq++}}}"""));
        events.Add(Data($$"""{"type":"response.reasoning_summary_text.delta","output_index":0,"item_id":"{{ReasoningId}}","summary_index":0,"delta":"{{part2}}","sequence_number":{{seq++}}}"""));
        events.Add(Data($$"""{"type":"response.reasoning_summary_text.done","output_index":0,"item_id":"{{ReasoningId}}","summary_index":0,"text":"{{ReasoningSummary}}","sequence_number":{{seq++}}}"""));
        events.Add(Data($$"""{"type":"response.reasoning_summary_part.done","output_index":0,"item_id":"{{ReasoningId}}","summary_index":0,"part":{"type":"summary_text","text":"{{ReasoningSummary}}"},"sequence_number":{{seq++}}}"""));
        var item = $$"""{"id":"{{ReasoningId}}","type":"reasoning","status":"completed","summary":[{"type":"summary_text","text":"{{ReasoningSummary}}"}],"encrypted_content":"{{EncryptedContent()}}","format":"openai-responses-v1"}""";
        events.Add(Data($$"""{"type":"response.output_item.done","output_index":0,"item":{{item}},"sequence_number":{{seq++}}}"""));
        return item;
    }

    /// <summary>A Fernet-like opaque blob with OpenRouter's <c>.&lt;base64 endpoint slug&gt;</c> suffix; pseudo-random (fixed
    /// seed) so that compression before encryption gains what it gains on a real one: nothing.</summary>
    private static string EncryptedContent()
    {
        var bytes = new byte[816];
#pragma warning disable CA5394 // Not security: a reproducible filler for load runs.
        new Random(1700000000).NextBytes(bytes);
#pragma warning restore CA5394
        return "gAAAAAB" + Convert.ToBase64String(bytes).Replace('+', '-').Replace('/', '_') + ".b3BlbmFpL2dwdC01LjI=";
    }

    private static byte[] Data(string json) => Encoding.UTF8.GetBytes("data: " + json + "\n\n");
}
