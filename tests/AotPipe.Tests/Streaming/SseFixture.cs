using System.Text;
using Xunit;

namespace AotPipe.Tests.Streaming;

/// <summary>Loads the OpenRouter fixtures and splits an SSE file into event data payloads (test-side splitter).</summary>
internal static class SseFixture
{
    public static string Root
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "fixtures", "openrouter");
            Assert.True(Directory.Exists(path), "fixtures missing at " + path);
            return path;
        }
    }

    public static string ResponsesPath(string name) => Path.Combine(Root, "responses", name);

    public static IEnumerable<string> StreamNames() =>
        Directory.EnumerateFiles(Path.Combine(Root, "responses"), "*.sse").Select(Path.GetFileName).Order().Cast<string>();

    /// <summary>Splits per the SSE rules: lines end in CRLF, LF or CR; a blank line dispatches; ':' lines are comments.</summary>
    public static List<byte[]> ReadDataPayloads(string name)
    {
        var text = Encoding.UTF8.GetString(File.ReadAllBytes(ResponsesPath(name)));
        var events = new List<byte[]>();
        var data = new StringBuilder();
        var hasData = false;
        foreach (var line in text.Split(["\r\n", "\n", "\r"], StringSplitOptions.None))
        {
            if (line.Length == 0)
            {
                if (hasData)
                {
                    events.Add(Encoding.UTF8.GetBytes(data.ToString()));
                }

                data.Clear();
                hasData = false;
                continue;
            }

            if (line.StartsWith(':'))
            {
                continue;
            }

            if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                var value = line.AsSpan(5);
                if (value.StartsWith(" "))
                {
                    value = value[1..];
                }

                if (hasData)
                {
                    data.Append('\n');
                }

                data.Append(value);
                hasData = true;
            }
        }

        if (hasData)
        {
            events.Add(Encoding.UTF8.GetBytes(data.ToString()));
        }

        return events;
    }
}
