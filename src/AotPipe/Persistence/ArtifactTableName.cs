using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace AotPipe.Persistence;

/// <summary>
/// The artifact table name, <c>response_items_{fragment}_{hash8}</c>, built by the original pipe's rule so that AotPipe
/// reads the original's tables (DESIGN.md section 4, SECURITY.md section 2.7), plus the index names derived from it.
/// </summary>
internal readonly record struct ArtifactTableName
{
    /// <summary>PostgreSQL's identifier limit in bytes (NAMEDATALEN - 1); a longer name would be silently truncated.</summary>
    public const int MaxIdentifierBytes = 63;

    /// <summary>Longest PIPE_ID fragment, as in the original pipe (cut before the trailing underscores are removed).</summary>
    public const int MaxFragmentLength = 62;

    /// <summary>Hex characters of the key hash carried in the table and index names.</summary>
    public const int HashLength = 8;

    /// <summary>Prefix shared by every artifact table.</summary>
    public const string Prefix = "response_items_";

    /// <summary>Fragment used when PIPE_ID has no usable character.</summary>
    public const string EmptyFragment = "pipe";

    private ArtifactTableName(string name, string hash8)
    {
        Name = name;
        Hash8 = hash8;
    }

    /// <summary>The table name; only <c>[a-z0-9_]</c>, so it is safe to embed in SQL (it is quoted anyway).</summary>
    public string Name { get; }

    /// <summary>First 8 hex characters of SHA-256(UTF-8(trimmed key + PIPE_ID)), lower-case.</summary>
    public string Hash8 { get; }

    /// <summary>Index name <c>ri_{hash8}_{purpose}</c>.</summary>
    public string IndexName(string purpose) => "ri_" + Hash8 + "_" + purpose;

    /// <summary>Builds the name; fails with a configuration message naming PIPE_ID when it exceeds 63 bytes.</summary>
    /// <param name="pipeId">The PIPE_ID setting, as configured.</param>
    /// <param name="artifactKey">ARTIFACT_ENCRYPTION_KEY (trimmed here), or null/empty when artifacts are not encrypted.</param>
    /// <param name="tableName">The name when the method returns true.</param>
    /// <param name="error">A start-up error message when the method returns false.</param>
    public static bool TryCreate(string pipeId, string? artifactKey, out ArtifactTableName tableName, [NotNullWhen(false)] out string? error)
    {
        var fragment = Fragment(pipeId);
        var hash8 = Hash(pipeId, artifactKey);
        var name = Prefix + fragment + "_" + hash8;
        if (Encoding.UTF8.GetByteCount(name) > MaxIdentifierBytes)
        {
            tableName = default;
            error = $"PIPE_ID is too long: the artifact table name '{name}' has {name.Length} characters, over PostgreSQL's {MaxIdentifierBytes}-byte limit; use a PIPE_ID whose normalised form has at most {MaxIdentifierBytes - Prefix.Length - 1 - HashLength} characters.";
            return false;
        }

        tableName = new ArtifactTableName(name, hash8);
        error = null;
        return true;
    }

    /// <summary>PIPE_ID lower-cased, <c>[^a-z0-9_]</c> to <c>_</c>, trimmed of <c>_</c>, empty to <c>pipe</c>, cut to 62, trailing <c>_</c> removed.</summary>
    internal static string Fragment(string pipeId)
    {
        var builder = new StringBuilder(pipeId.Length);
        foreach (var c in pipeId.ToLowerInvariant())
        {
            builder.Append(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' ? c : '_');
        }

        var fragment = builder.ToString().Trim('_');
        if (fragment.Length == 0)
        {
            fragment = EmptyFragment;
        }

        if (fragment.Length > MaxFragmentLength)
        {
            fragment = fragment[..MaxFragmentLength].TrimEnd('_');
        }

        return fragment;
    }

    private static string Hash(string pipeId, string? artifactKey)
    {
        var material = (artifactKey?.Trim() ?? string.Empty) + pipeId;
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(material), digest);
        return Convert.ToHexStringLower(digest[..(HashLength / 2)]);
    }
}
