using System.Security.Cryptography;
using System.Text;
using AotPipe.Configuration;

namespace AotPipe.Security.Auth;

/// <summary>
/// Parses <c>AOTPIPE_API_KEYS</c>: comma-separated <c>name:key</c> or <c>name:sha256:&lt;64 hex&gt;</c>; an item
/// <c>@/path</c> reads one entry per line from a file (blank lines and <c>#</c> comments skipped). Errors name the
/// setting and the entry's position, never a key.
/// </summary>
internal static class ApiKeyParser
{
    /// <summary>The setting parsed here.</summary>
    public const string SettingName = "AOTPIPE_API_KEYS";

    /// <summary>Longest tenant name: it becomes part of every artifact scope and a metrics label value.</summary>
    public const int MaxNameLength = 64;

    /// <summary>Hex digits of a SHA-256 digest.</summary>
    public const int HashHexLength = 64;

    private const string HashPrefix = "sha256:";

    /// <summary>Parses the raw value; null or blank means no inbound keys.</summary>
    /// <exception cref="SettingsException">A malformed entry, an empty or invalid name, or a duplicate name.</exception>
    public static IReadOnlyList<ApiKeyEntry> Parse(string? value)
    {
        var entries = new List<ApiKeyEntry>();
        if (string.IsNullOrWhiteSpace(value))
        {
            return entries;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var position = 0;
        foreach (var item in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (item.StartsWith('@'))
            {
                foreach (var line in ReadFile(item[1..]))
                {
                    Add(entries, names, line, ++position);
                }
            }
            else
            {
                Add(entries, names, item, ++position);
            }
        }

        if (entries.Count == 0)
        {
            throw new SettingsException(SettingName, "is set but holds no entries.");
        }

        return entries;
    }

    private static IEnumerable<string> ReadFile(string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new SettingsException(SettingName, "the @ key file cannot be read.");
        }

        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length > 0 && !line.StartsWith('#'))
            {
                yield return line;
            }
        }
    }

    private static void Add(List<ApiKeyEntry> entries, HashSet<string> names, string entry, int position)
    {
        var colon = entry.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            throw new SettingsException(SettingName, $"entry {position} is not name:key or name:sha256:<64 hex>.");
        }

        var name = entry[..colon].Trim();
        var key = entry[(colon + 1)..].Trim();
        if (!IsValidName(name))
        {
            throw new SettingsException(SettingName, $"entry {position} has an empty or invalid name (1-{MaxNameLength} of A-Z a-z 0-9 . _ -).");
        }

        if (key.Length == 0)
        {
            throw new SettingsException(SettingName, $"entry {position} ({name}) has an empty key.");
        }

        byte[] hash;
        if (key.StartsWith(HashPrefix, StringComparison.OrdinalIgnoreCase))
        {
            var hex = key[HashPrefix.Length..];
            if (hex.Length != HashHexLength || !IsHex(hex))
            {
                throw new SettingsException(SettingName, $"entry {position} ({name}) has a sha256: value that is not {HashHexLength} hex digits.");
            }

            hash = Convert.FromHexString(hex);
        }
        else
        {
            hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        }

        if (!names.Add(name))
        {
            throw new SettingsException(SettingName, $"duplicate name {name} (entry {position}).");
        }

        entries.Add(new ApiKeyEntry(name, hash));
    }

    private static bool IsValidName(string name)
    {
        if (name.Length is 0 or > MaxNameLength)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsHex(string text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
