using System.Text;
using System.Text.Json.Nodes;

namespace AotPipe.IntegrationTests.Chat;

/// <summary>Reads the concatenated <c>delta.content</c> of a chat-completions SSE stream.</summary>
internal static class ChatCompletionsTests_Helpers
{
    public static string Content(string sse)
    {
        var content = new StringBuilder();
        foreach (var frame in sse.Split("\n\n"))
        {
            if (frame.StartsWith("data: {", StringComparison.Ordinal)
                && JsonNode.Parse(frame["data: ".Length..]) is JsonObject chunk
                && chunk["choices"] is JsonArray { Count: > 0 } choices
                && choices[0]!["delta"]?["content"] is JsonValue text)
            {
                content.Append(text.GetValue<string>());
            }
        }

        return content.ToString();
    }
}
