namespace AotPipe.TestKit;

/// <summary>Locates the recorded OpenRouter fixtures copied beside the test binaries (tests/fixtures).</summary>
public static class Fixtures
{
    /// <summary>The <c>fixtures/openrouter</c> folder in the output directory.</summary>
    public static string OpenRouterDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "fixtures", "openrouter");

    /// <summary>Full path of a fixture file relative to <see cref="OpenRouterDirectory"/>.</summary>
    public static string PathOf(string relative) => Path.Combine(OpenRouterDirectory, relative);

    /// <summary>Bytes of a fixture file, unchanged.</summary>
    public static byte[] Bytes(string relative) => File.ReadAllBytes(PathOf(relative));

    /// <summary>Splits an SSE file into its events (each including its terminating blank line), without a parser
    /// shared with the product, so the mock cannot inherit a framer bug.</summary>
    public static IReadOnlyList<byte[]> SplitEvents(byte[] sse)
    {
        var events = new List<byte[]>();
        var start = 0;
        var i = 0;
        while (i < sse.Length)
        {
            var lineEnd = i;
            while (lineEnd < sse.Length && sse[lineEnd] != (byte)'\n' && sse[lineEnd] != (byte)'\r')
            {
                lineEnd++;
            }

            var isBlank = lineEnd == i;
            var next = lineEnd;
            if (next < sse.Length && sse[next] == (byte)'\r')
            {
                next++;
            }

            if (next < sse.Length && sse[next] == (byte)'\n')
            {
                next++;
            }

            if (next == lineEnd)
            {
                next = sse.Length;
            }

            i = next;
            if (isBlank && i > start)
            {
                events.Add(sse[start..i]);
                start = i;
            }
        }

        if (start < sse.Length)
        {
            events.Add(sse[start..]);
        }

        return events;
    }
}
