using System.Security.Cryptography;
using System.Text;

namespace AotPipe.Redaction;

/// <summary>
/// How request headers appear in logs: credentials as a short hash fingerprint, identity headers masked (DESIGN.md section 4).
/// No character of a credential is ever written.
/// </summary>
internal static class HeaderRedaction
{
    /// <summary>Hex characters of SHA-256(credential) kept as its fingerprint.</summary>
    public const int FingerprintHexLength = 8;

    /// <summary>Characters of an identity value shown in front of the mask; shorter values are masked entirely.</summary>
    public const int IdentityVisiblePrefix = 2;

    /// <summary>Identity values up to this length are masked completely, so the visible prefix never is most of the value.</summary>
    public const int IdentityFullyMaskedLength = 4;

    private const string IdentityHeaderPrefix = "X-OpenWebUI-";

    /// <summary>Whether <paramref name="name"/> carries a credential (its value is replaced by a fingerprint).</summary>
    public static bool IsCredentialHeader(string name) =>
        name.Equals("Authorization", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Proxy-Authorization", StringComparison.OrdinalIgnoreCase)
        || name.Equals("X-Api-Key", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Api-Key", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Cookie", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Set-Cookie", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether <paramref name="name"/> identifies a user or conversation (<c>X-OpenWebUI-User-Id</c>, <c>-Chat-Id</c>, ...).</summary>
    public static bool IsIdentityHeader(string name) => name.StartsWith(IdentityHeaderPrefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>Returns the value to log for header <paramref name="name"/>.</summary>
    public static string RedactHeaderValue(string name, string? value)
    {
        if (IsCredentialHeader(name))
        {
            return RedactCredential(value);
        }

        return IsIdentityHeader(name) ? MaskIdentity(value) : value ?? string.Empty;
    }

    /// <summary>
    /// <c>Bearer &lt;key&gt;</c> becomes <c>Bearer &lt;first 8 hex of SHA-256(key)&gt;</c>; any other scheme keeps its name;
    /// a value without a scheme becomes the fingerprint alone.
    /// </summary>
    public static string RedactCredential(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        string trimmed = value.Trim();
        int space = trimmed.IndexOf(' ', StringComparison.Ordinal);
        if (space > 0 && IsSchemeName(trimmed.AsSpan(0, space)))
        {
            string scheme = trimmed[..space];
            return scheme + " " + Fingerprint(trimmed.AsSpan(space + 1).TrimStart());
        }

        return Fingerprint(trimmed);
    }

    /// <summary>First <see cref="FingerprintHexLength"/> lower-case hex characters of SHA-256 over the UTF-8 secret.</summary>
    public static string Fingerprint(ReadOnlySpan<char> secret)
    {
        int byteCount = Encoding.UTF8.GetByteCount(secret);
        byte[] rented = System.Buffers.ArrayPool<byte>.Shared.Rent(byteCount);
        try
        {
            int written = Encoding.UTF8.GetBytes(secret, rented);
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(rented.AsSpan(0, written), hash);
            return Convert.ToHexStringLower(hash[..(FingerprintHexLength / 2)]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(rented.AsSpan(0, byteCount));
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Masks an identity value as its first two characters, <c>***</c> and its length, e.g. <c>ab***(36)</c>.</summary>
    public static string MaskIdentity(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        string length = value.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (value.Length <= IdentityFullyMaskedLength || char.IsSurrogate(value[IdentityVisiblePrefix - 1]))
        {
            return "***(" + length + ")";
        }

        return string.Concat(value.AsSpan(0, IdentityVisiblePrefix), "***(", length, ")");
    }

    private static bool IsSchemeName(ReadOnlySpan<char> candidate)
    {
        foreach (char c in candidate)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_')
            {
                return false;
            }
        }

        return true;
    }
}
