namespace AotPipe.Security.Egress;

/// <summary>Folds full-width ASCII forms and ideographic full stops to ASCII, as UTS 46 mapping does for host names.</summary>
internal static class FullWidth
{
    /// <summary>First full-width ASCII code point (U+FF01, '！').</summary>
    private const char First = '\uFF01';

    /// <summary>Last full-width ASCII code point (U+FF5E, '～').</summary>
    private const char Last = '\uFF5E';

    /// <summary>Distance from a full-width form to its ASCII character.</summary>
    private const int Offset = 0xFEE0;

    /// <summary>Returns the folded text when <paramref name="text"/> contains any foldable character; otherwise false.</summary>
    public static bool TryMap(ReadOnlySpan<char> text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? mapped)
    {
        mapped = null;
        bool any = false;
        foreach (char c in text)
        {
            if (c is >= First and <= Last or '\u3002' or '\uFF61')
            {
                any = true;
                break;
            }
        }

        if (!any)
        {
            return false;
        }

        mapped = string.Create(text.Length, text, static (destination, source) =>
        {
            for (int i = 0; i < source.Length; i++)
            {
                char c = source[i];
                destination[i] = c switch
                {
                    >= First and <= Last => (char)(c - Offset),
                    '\u3002' or '\uFF61' => '.',
                    _ => c,
                };
            }
        });
        return true;
    }
}
