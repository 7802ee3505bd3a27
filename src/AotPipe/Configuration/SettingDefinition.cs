namespace AotPipe.Configuration;

/// <summary>One environment variable the gateway reads: its name, type, default and meaning.</summary>
/// <remarks>The catalog of these (<see cref="SettingsCatalog"/>) is the single source for parsing, <c>aotpipe config</c>
/// and the generated configuration reference.</remarks>
/// <param name="Name">Environment variable name, as the original pipe spells it.</param>
/// <param name="Kind">How the value is parsed.</param>
/// <param name="Default">Default as text, or <see langword="null"/> when unset by default.</param>
/// <param name="Meaning">One-line operator description.</param>
/// <param name="Min">Lowest accepted value for numbers.</param>
/// <param name="Max">Highest accepted value for numbers.</param>
/// <param name="Choices">Accepted words for <see cref="SettingKind.Choice"/>.</param>
public sealed record SettingDefinition(
    string Name,
    SettingKind Kind,
    string? Default,
    string Meaning,
    double Min = 0,
    double Max = double.MaxValue,
    string[]? Choices = null)
{
    /// <summary>Whether the value is a secret (masked, and decryptable from <c>encrypted:</c>).</summary>
    public bool IsSecret => Kind == SettingKind.Secret;
}
