using System.Globalization;
using AotPipe.Security;

namespace AotPipe.Configuration;

/// <summary>Reads typed values out of an environment snapshot, using the catalog's defaults and ranges.</summary>
/// <remarks>Every failure is a <see cref="SettingsException"/> naming the setting; values are never echoed, because
/// an operator may have put a secret in the wrong variable.</remarks>
internal sealed class SettingsReader
{
    private readonly IReadOnlyDictionary<string, string?> _environment;

    public SettingsReader(IReadOnlyDictionary<string, string?> environment)
    {
        _environment = environment;
    }

    /// <summary>The raw text of a setting, or its default; blank counts as unset.</summary>
    public string? Raw(string name)
    {
        var definition = SettingsCatalog.Get(name);
        return _environment.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value : definition.Default;
    }

    public string Text(string name) => Raw(name) ?? string.Empty;

    public string? OptionalText(string name) => Raw(name);

    /// <summary>A secret, decrypted from <c>encrypted:</c> form with <c>WEBUI_SECRET_KEY</c> when needed.</summary>
    public string? Secret(string name)
    {
        var raw = Raw(name);
        if (raw is null)
        {
            return null;
        }

        var webuiKey = name == "WEBUI_SECRET_KEY" ? null : Raw("WEBUI_SECRET_KEY");
        var resolution = EncryptedSecret.Resolve(name, raw, webuiKey, out var plaintext);
        return resolution switch
        {
            SecretResolution.Plain or SecretResolution.Decrypted => plaintext,
            _ => throw new SettingsException(name, EncryptedSecret.DescribeFailure(name, resolution)),
        };
    }

    public bool Boolean(string name)
    {
        var raw = Text(name).Trim();
        if (raw.Equals("true", StringComparison.OrdinalIgnoreCase) || raw == "1")
        {
            return true;
        }

        if (raw.Equals("false", StringComparison.OrdinalIgnoreCase) || raw == "0")
        {
            return false;
        }

        throw new SettingsException(name, "expected true, false, 1 or 0.");
    }

    public int Integer(string name)
    {
        var definition = SettingsCatalog.Get(name);
        if (!int.TryParse(Text(name).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            throw new SettingsException(name, "expected a whole number.");
        }

        CheckRange(definition, value);
        return value;
    }

    public double Number(string name)
    {
        var definition = SettingsCatalog.Get(name);
        if (!double.TryParse(Text(name).Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw new SettingsException(name, "expected a number.");
        }

        CheckRange(definition, value);
        return value;
    }

    /// <summary>One of the definition's choices, returned in its canonical spelling.</summary>
    public string Choice(string name)
    {
        var definition = SettingsCatalog.Get(name);
        var raw = Text(name).Trim();
        foreach (var choice in definition.Choices!)
        {
            if (choice.Equals(raw, StringComparison.OrdinalIgnoreCase))
            {
                return choice;
            }
        }

        throw new SettingsException(name, $"expected one of {string.Join(", ", definition.Choices!)}.");
    }

    private static void CheckRange(SettingDefinition definition, double value)
    {
        if (value < definition.Min || value > definition.Max)
        {
            throw new SettingsException(
                definition.Name,
                string.Create(CultureInfo.InvariantCulture, $"must be between {definition.Min} and {definition.Max}."));
        }
    }
}
