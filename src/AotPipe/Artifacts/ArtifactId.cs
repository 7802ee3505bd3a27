using System.Buffers;
using System.Diagnostics;
using System.Security.Cryptography;

namespace AotPipe.Artifacts;

/// <summary>
/// Artifact ids: 20 characters of upper-case Crockford base32 (<c>0-9A-HJKMNP-TV-Z</c>), 16 from a per-process monotonic
/// nanosecond clock followed by 4 random characters (DESIGN.md section 4). Ids made by one process sort in creation order.
/// </summary>
internal static class ArtifactId
{
    /// <summary>Characters in an id.</summary>
    public const int Length = 20;

    /// <summary>Characters that carry the clock value (80 bits, of which the nanosecond clock uses the low 64).</summary>
    public const int ClockChars = 16;

    /// <summary>Random characters after the clock part (20 bits).</summary>
    public const int RandomChars = Length - ClockChars;

    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    private static readonly SearchValues<char> s_alphabet = SearchValues.Create(Alphabet);

    // Wall-clock anchor taken once, then advanced by the monotonic Stopwatch: the clock part never goes backwards even
    // when the wall clock is stepped, and ids from one process keep their order.
    private static readonly long s_epochNanos = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000;
    private static readonly long s_startTicks = Stopwatch.GetTimestamp();
    private static long s_last;

    /// <summary>Creates a new id, strictly greater (by ordinal comparison) than every id this process made before.</summary>
    public static string NewId()
    {
        var clock = NextClock();
        Span<byte> random = stackalloc byte[3];
        RandomNumberGenerator.Fill(random);
        var randomBits = (random[0] << 12) | (random[1] << 4) | (random[2] >> 4);
        return string.Create(Length, (clock, randomBits), static (span, state) =>
        {
            var (value, bits) = state;
            // 16 characters hold 80 bits; the clock fills the low 64, so characters whose shift reaches past bit 63 are '0'.
            for (var i = ClockChars - 1; i >= 0; i--)
            {
                var shift = 5 * (ClockChars - 1 - i);
                span[i] = shift >= 64 ? '0' : Alphabet[(int)((ulong)value >> shift) & 31];
            }

            for (var i = 0; i < RandomChars; i++)
            {
                span[ClockChars + i] = Alphabet[(bits >> (5 * (RandomChars - 1 - i))) & 31];
            }
        });
    }

    /// <summary>True when <paramref name="value"/> has exactly the id shape (length and upper-case alphabet).</summary>
    public static bool IsValid(ReadOnlySpan<char> value) =>
        value.Length == Length && !value.ContainsAnyExcept(s_alphabet);

    private static long NextClock()
    {
        var ticks = Stopwatch.GetTimestamp() - s_startTicks;
        var candidate = s_epochNanos + (long)((Int128)ticks * 1_000_000_000 / Stopwatch.Frequency);
        while (true)
        {
            var last = Volatile.Read(ref s_last);
            // Two calls within one clock tick (or on a coarse clock) still get distinct, increasing values.
            var next = candidate > last ? candidate : last + 1;
            if (Interlocked.CompareExchange(ref s_last, next, last) == last)
            {
                return next;
            }
        }
    }
}
