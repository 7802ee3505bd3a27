using AotPipe.Persistence;
using Xunit;

namespace AotPipe.Tests.Persistence;

public sealed class ArtifactTableNameTests
{
    [Theory]
    [InlineData("openrouter_responses", "artifact-key-1", "response_items_openrouter_responses_2b207cf2")]
    [InlineData("openrouter_responses", null, "response_items_openrouter_responses_393870b9")]
    [InlineData("openrouter_responses", "", "response_items_openrouter_responses_393870b9")]
    [InlineData("openrouter_responses", "  artifact-key-1\n", "response_items_openrouter_responses_2b207cf2")] // key is trimmed
    public void TryCreate_SecuritySpecVectors(string pipeId, string? key, string expected)
    {
        Assert.True(ArtifactTableName.TryCreate(pipeId, key, out var table, out _));
        Assert.Equal(expected, table.Name);
        Assert.Equal(expected[^8..], table.Hash8);
        Assert.Equal("ri_" + expected[^8..] + "_chat", table.IndexName("chat"));
    }

    [Theory]
    [InlineData("OpenRouter.Responses", "openrouter_responses")]
    [InlineData("__a-b c__", "a_b_c")]
    [InlineData("___", "pipe")]
    [InlineData("", "pipe")]
    [InlineData("ÄÖ", "pipe")]
    public void Fragment_NormalisesPipeId(string pipeId, string expected) =>
        Assert.Equal(expected, ArtifactTableName.Fragment(pipeId));

    [Fact]
    public void Fragment_CutTo62ThenTrailingUnderscoresRemoved()
    {
        Assert.Equal(new string('a', 62), ArtifactTableName.Fragment(new string('a', 70)));
        Assert.Equal(new string('a', 60), ArtifactTableName.Fragment(new string('a', 60) + "__bbbb"));
    }

    [Fact]
    public void TryCreate_NameOf63Bytes_Accepted()
    {
        var limit = ArtifactTableName.MaxIdentifierBytes - ArtifactTableName.Prefix.Length - 1 - ArtifactTableName.HashLength;
        Assert.True(ArtifactTableName.TryCreate(new string('p', limit), null, out var table, out _));
        Assert.Equal(ArtifactTableName.MaxIdentifierBytes, table.Name.Length);
    }

    [Fact]
    public void TryCreate_NameOf64Bytes_IsConfigurationErrorNamingPipeId()
    {
        var limit = ArtifactTableName.MaxIdentifierBytes - ArtifactTableName.Prefix.Length - 1 - ArtifactTableName.HashLength;
        Assert.False(ArtifactTableName.TryCreate(new string('p', limit + 1), null, out _, out var error));
        Assert.Contains("PIPE_ID", error, StringComparison.Ordinal);
    }
}
