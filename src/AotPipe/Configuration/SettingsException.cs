namespace AotPipe.Configuration;

/// <summary>A setting that stops start-up (exit 2). The message names the setting and never contains its value.</summary>
public sealed class SettingsException : Exception
{
    /// <summary>Creates the error for <paramref name="settingName"/>.</summary>
    public SettingsException(string settingName, string message)
        : base($"{settingName}: {message}")
    {
        SettingName = settingName;
    }

    /// <summary>The environment variable at fault.</summary>
    public string SettingName { get; }
}
