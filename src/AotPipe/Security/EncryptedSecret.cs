namespace AotPipe.Security;

/// <summary>Placeholder until the Fernet implementation lands: plain values pass, encrypted ones are refused.</summary>
public static class EncryptedSecret
{
    /// <summary>Resolves a setting value.</summary>
    public static SecretResolution Resolve(string settingName, string? value, string? webuiSecretKey, out string? plaintext)
    {
        plaintext = value;
        return value is not null && value.StartsWith("encrypted:", StringComparison.Ordinal) ? SecretResolution.SecretKeyWrongOrValueCorrupt : SecretResolution.Plain;
    }

    /// <summary>Operator message.</summary>
    public static string DescribeFailure(string settingName, SecretResolution r) => "cannot be decrypted.";
}

/// <summary>Outcome of resolving a secret.</summary>
public enum SecretResolution
{
    /// <summary>Plain value.</summary>
    Plain,

    /// <summary>Decrypted.</summary>
    Decrypted,

    /// <summary>Key missing.</summary>
    SecretKeyMissing,

    /// <summary>Key wrong.</summary>
    SecretKeyWrongOrValueCorrupt,
}
