namespace AotPipe.Security;

/// <summary>Outcome of <see cref="EncryptedSecret.Resolve"/> for one secret setting.</summary>
internal enum SecretResolution
{
    /// <summary>The value has no <c>encrypted:</c> prefix (or is empty) and is used as given.</summary>
    Plain,

    /// <summary>The value was an <c>encrypted:</c> token and decrypted with <c>WEBUI_SECRET_KEY</c>.</summary>
    Decrypted,

    /// <summary>The value is encrypted but <c>WEBUI_SECRET_KEY</c> is unset or empty; start-up must stop (exit 2).</summary>
    SecretKeyMissing,

    /// <summary>
    /// The value is encrypted but does not decrypt: <c>WEBUI_SECRET_KEY</c> differs from the key that encrypted it,
    /// or the token is damaged; start-up must stop (exit 2).
    /// </summary>
    SecretKeyWrongOrValueCorrupt,
}
