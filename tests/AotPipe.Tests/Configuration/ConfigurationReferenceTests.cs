using AotPipe.Configuration;
using AotPipe.TestKit;
using Xunit;

namespace AotPipe.Tests.Configuration;

public sealed class ConfigurationReferenceTests
{

    [Fact]
    public void CommittedFile_MatchesRender()
    {
        var path = Repository.PathOf("docs", "configuration.md");
        var committed = File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal);

        // On failure regenerate with: dotnet run --project tools/ConfigDocGen
        Assert.Equal(ConfigurationReference.Render(), committed);
    }

    [Fact]
    public void Render_HasOneRowPerSetting()
    {
        var rows = ConfigurationReference.Render().Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal)).ToList();

        Assert.Equal(SettingsCatalog.All.Count, rows.Count);
        foreach (var definition in SettingsCatalog.All)
        {
            Assert.Single(rows, r => r.StartsWith("| `" + definition.Name + "` |", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Render_ShowsTypeDefaultRangeAndChoices()
    {
        var rows = ConfigurationReference.Render().Split('\n');

        Assert.Contains("| `MAX_CONCURRENT_REQUESTS` | integer | `200` | 1 – 1000000 | In-flight /v1/* requests; above it 503 at once with Retry-After: 1. |", rows);
        Assert.Contains(rows, r => r.StartsWith("| `LOG_FORMAT` | choice | `text` | `text`, `json` |", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.StartsWith("| `OPENROUTER_API_KEY` | secret | (unset) |  |", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.StartsWith("| `ENCRYPT_ALL` | boolean | `true` | `true`, `false` |", StringComparison.Ordinal));
    }

    [Fact]
    public void Render_EscapesTableAndHtmlCharacters()
    {
        var row = ConfigurationReference.Render().Split('\n').Single(l => l.StartsWith("| `AOTPIPE_API_KEYS` |", StringComparison.Ordinal));

        Assert.Contains("name:sha256:&lt;64 hex&gt;", row, StringComparison.Ordinal);
        Assert.Equal(6, row.Count(c => c == '|'));
    }
}
