using System.Globalization;
using System.Text;

namespace AotPipe.TestKit.Mock;

/// <summary>Deterministic OpenRouter-like streams for load runs: <c>mock/gen-&lt;events&gt;-&lt;interval ms&gt;</c>.</summary>
/// <remarks>Shapes and sizes follow stream-text-basic.sse: keep-alive comments first, <c>response.created</c>, a message
/// item, N <c>output_text.delta</c> events of ~16 B text, a comment every 50 deltas, <c>response.completed</c>, <c>[DONE]</c>.</remarks>
public static class GeneratedStream
{
    /// <summary>Builds the events for a <c>mock/gen-N-MS</c> model name.</summary>
    public static IReadOnlyList<byte[]> Create(string model)
    {
        var (count, _) = Parse(model);
        var events = new List<byte[]>(count + 8);
        const string Id = "gen-1700000000-BENCHMARKSTREAM0001";
        const string ItemId = "msg_tmp_bench0000000000000000000";
        var seq = 0;
        events.Add(Encoding.UTF8.GetBytes(": OPENROUTER PROCESSING\n\n"));
        events.Add(Data($$"""{"type":"response.created","response":{"id":"{{Id}}","object":"response","created_at":1700000000,"model":"mock/gen","status":"in_progress","output":[],"usage":null},"sequence_number":{{seq++}}}"""));
        events.Add(Data($$"""{"type":"response.output_item.added","output_index":0,"item":{"type":"message","id":"{{ItemId}}","role":"assistant","status":"in_progress","content":[]},"sequence_number":{{seq++}}}"""));
        var text = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            var delta = string.Create(CultureInfo.InvariantCulture, $"token {i:D6} abc ");
            text.Append(delta);
            events.Add(Data($$"""{"type":"response.output_text.delta","item_id":"{{ItemId}}","output_index":0,"content_index":0,"delta":"{{delta}}","sequence_number":{{seq++}}}"""));
            if (i % 50 == 49)
            {
                events.Add(Encoding.UTF8.GetBytes(": OPENROUTER PROCESSING\n\n"));
            }
        }

        var completed = "{\"type\":\"response.completed\",\"response\":{\"id\":\"" + Id + "\",\"object\":\"response\",\"created_at\":1700000000,\"model\":\"mock/gen\",\"status\":\"completed\",\"output\":[{\"type\":\"message\",\"id\":\"" + ItemId
            + "\",\"role\":\"assistant\",\"status\":\"completed\",\"content\":[{\"type\":\"output_text\",\"text\":\"" + text + "\",\"annotations\":[]}]}],\"usage\":{\"input_tokens\":10,\"output_tokens\":"
            + count.ToString(CultureInfo.InvariantCulture) + ",\"total_tokens\":" + (count + 10).ToString(CultureInfo.InvariantCulture) + ",\"cost\":0.0001}},\"sequence_number\":" + seq.ToString(CultureInfo.InvariantCulture) + "}";
        events.Add(Data(completed));
        events.Add(Encoding.UTF8.GetBytes("data: [DONE]\n\n"));
        return events;
    }

    /// <summary>The interval encoded in a <c>mock/gen-N-MS</c> model name.</summary>
    public static TimeSpan IntervalOf(string model) => TimeSpan.FromMilliseconds(Parse(model).IntervalMs);

    private static (int Count, int IntervalMs) Parse(string model)
    {
        var parts = model["mock/gen-".Length..].Split('-');
        var count = parts.Length > 0 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out var c) ? c : 300;
        var interval = parts.Length > 1 && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var ms) ? ms : 10;
        return (count, interval);
    }

    private static byte[] Data(string json) => Encoding.UTF8.GetBytes("data: " + json + "\n\n");
}
