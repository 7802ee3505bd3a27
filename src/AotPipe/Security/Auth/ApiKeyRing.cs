using System.Security.Cryptography;
using System.Text;

namespace AotPipe.Security.Auth;

/// <summary>Matches a presented inbound key against every configured entry in constant time.</summary>
/// <remarks>The presented key is hashed first, so the comparison length never depends on it, and every entry is
/// compared with <see cref="CryptographicOperations.FixedTimeEquals"/> without an early exit: the time taken does
/// not reveal which entry matched or how much of a key was right.</remarks>
internal sealed class ApiKeyRing
{
    /// <summary>Longest presented key (in characters) that is hashed; a longer one is refused without hashing it.</summary>
    public const int MaxPresentedKeyChars = 1024;

    private readonly ApiKeyEntry[] _entries;

    /// <summary>Creates the ring.</summary>
    public ApiKeyRing(IReadOnlyList<ApiKeyEntry> entries) => _entries = [.. entries];

    /// <summary>Whether any key is configured (auth on).</summary>
    public bool IsEnabled => _entries.Length > 0;

    /// <summary>Returns the tenant name of the matching entry, or null.</summary>
    public string? Match(ReadOnlySpan<char> presentedKey)
    {
        if (presentedKey.IsEmpty || presentedKey.Length > MaxPresentedKeyChars)
        {
            return null;
        }

        // Three UTF-8 bytes per UTF-16 unit is the worst case (a surrogate pair is two units for four bytes).
        Span<byte> utf8 = stackalloc byte[MaxPresentedKeyChars * 3];
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        var written = Encoding.UTF8.GetBytes(presentedKey, utf8);
        SHA256.HashData(utf8[..written], hash);
        CryptographicOperations.ZeroMemory(utf8[..written]);
        var matched = -1;
        for (var i = 0; i < _entries.Length; i++)
        {
            // Branch-free select: every entry is compared, and the last match wins (names are unique, hashes rarely collide).
            var equal = CryptographicOperations.FixedTimeEquals(hash, _entries[i].KeyHash) ? 1 : 0;
            matched = (equal * i) + ((1 - equal) * matched);
        }

        return matched < 0 ? null : _entries[matched].Name;
    }
}
