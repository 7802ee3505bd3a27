using System.Globalization;
using System.Text;

namespace AotPipe.Configuration;

/// <summary>Renders <c>docs/configuration.md</c> from <see cref="SettingsCatalog"/>, so the reference cannot drift from
/// the code that parses the settings.</summary>
/// <remarks><c>dotnet run --project tools/ConfigDocGen</c> writes the file; a unit test fails when the committed file
/// differs from <see cref="Render"/>.</remarks>
public static class ConfigurationReference
{
    /// <summary>The complete markdown page, with <c>\n</c> line endings.</summary>
    public static string Render()
    {
        var text = new StringBuilder();
        text.Append("""
            # Configuration reference

            <!-- Generated from src/AotPipe/Configuration/SettingsCatalog.cs by `dotnet run --project tools/ConfigDocGen`.
                 Do not edit by hand: a unit test fails when this file and the catalog disagree. -->

            Every setting is an environment variable, read once at start-up. The names and meanings are those of the
            original Open WebUI pipe's valves where one exists. `aotpipe config` prints the effective values with every
            secret masked, after a first `#` line naming the edition (full or lean, docs/architecture.md "Editions"); an
            invalid value stops `aotpipe serve` (and `aotpipe config`) with exit code 2 and a message naming the setting.

            - **secret**: masked wherever settings are shown; may be given as `encrypted:...` (Open WebUI's EncryptedStr
              format, decrypted with `WEBUI_SECRET_KEY`, see `aotpipe encrypt-secret`). A secret that cannot be decrypted
              stops start-up with exit 2, even when the feature that uses it is off.
            - **boolean**: `true`, `false`, `1` or `0`, any case.
            - **integer** / **number**: a whole or decimal number (`.` as the decimal separator) inside the range shown.
            - **choice**: one of the listed words, any case.
            - Sizes in MB are MiB. An empty value counts as unset.

            | setting | type | default | range or choices | meaning |
            |---|---|---|---|---|

            """.Replace("\r\n", "\n", StringComparison.Ordinal));
        foreach (var definition in SettingsCatalog.All)
        {
            text.Append("| `").Append(definition.Name).Append("` | ")
                .Append(KindName(definition.Kind)).Append(" | ")
                .Append(definition.Default is null ? "(unset)" : "`" + definition.Default + "`").Append(" | ")
                .Append(Range(definition)).Append(" | ")
                .Append(Escape(definition.Meaning)).Append(" |\n");
        }

        return text.ToString();
    }

    private static string KindName(SettingKind kind) => kind switch
    {
        SettingKind.Text => "text",
        SettingKind.Secret => "secret",
        SettingKind.Boolean => "boolean",
        SettingKind.Integer => "integer",
        SettingKind.Number => "number",
        SettingKind.Choice => "choice",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static string Range(SettingDefinition definition)
    {
        switch (definition.Kind)
        {
            case SettingKind.Integer or SettingKind.Number:
                var min = definition.Min.ToString(CultureInfo.InvariantCulture);
                return definition.Max == double.MaxValue
                    ? "≥ " + min
                    : min + " – " + definition.Max.ToString(CultureInfo.InvariantCulture);
            case SettingKind.Choice when definition.Choices is { Length: > 0 } choices:
                return "`" + string.Join("`, `", choices) + "`";
            case SettingKind.Boolean:
                return "`true`, `false`";
            default:
                return "";
        }
    }

    // Table cells: a pipe would split the cell and a bare <...> would be taken for HTML.
    private static string Escape(string meaning) => meaning
        .Replace("|", "\\|", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal);
}
