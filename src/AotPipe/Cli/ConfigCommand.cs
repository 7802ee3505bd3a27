using AotPipe.Configuration;
using AotPipe.Hosting;

namespace AotPipe.Cli;

/// <summary><c>aotpipe config</c>: the effective settings, one per line, every secret masked.</summary>
public static class ConfigCommand
{
    /// <summary>Validates the environment and prints it; exit 2 naming the first bad setting.</summary>
    public static async Task<int> RunAsync(IReadOnlyDictionary<string, string?> environment, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            _ = GatewaySettings.Load(environment);
        }
        catch (SettingsException ex)
        {
            await stderr.WriteLineAsync("aotpipe: configuration error: " + ex.Message);
            return GatewayCommandLine.ExitUsage;
        }

        // A comment line, so that tools reading NAME=value lines skip it.
        await stdout.WriteLineAsync("# aotpipe " + BuildEdition.Description);
        foreach (var definition in SettingsCatalog.All)
        {
            environment.TryGetValue(definition.Name, out var raw);
            var isSet = !string.IsNullOrWhiteSpace(raw);
            string shown;
            if (definition.IsSecret)
            {
                // Never a character of a secret, not even its length.
                shown = isSet ? "(set, masked)" : "(unset)";
            }
            else
            {
                shown = isSet ? raw! : (definition.Default ?? "(unset)") + " (default)";
            }

            await stdout.WriteLineAsync($"{definition.Name}={shown}");
        }

        return GatewayCommandLine.ExitOk;
    }
}
