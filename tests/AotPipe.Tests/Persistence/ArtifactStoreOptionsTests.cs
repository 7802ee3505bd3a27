using AotPipe.Persistence;
using Xunit;

namespace AotPipe.Tests.Persistence;

public sealed class ArtifactStoreOptionsTests
{
    [Fact]
    public void Defaults_MatchDesign()
    {
        var options = new ArtifactStoreOptions();
        Assert.Equal(256, options.BatchSize);
        Assert.Equal(TimeSpan.FromMilliseconds(5), options.BatchWindow);
        Assert.Null(options.Validate());
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(0, false)]
    [InlineData(ArtifactStoreOptions.MaxBatchSize, true)]
    [InlineData(ArtifactStoreOptions.MaxBatchSize + 1, false)]
    public void BatchSize_Limits(int size, bool valid)
    {
        var error = new ArtifactStoreOptions { BatchSize = size }.Validate();
        Assert.Equal(valid, error is null);
        if (!valid)
        {
            Assert.Contains("DB_BATCH_SIZE", error, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(ArtifactStoreOptions.MaxBatchWindowMs, true)]
    [InlineData(ArtifactStoreOptions.MaxBatchWindowMs + 1, false)]
    [InlineData(-1, false)]
    public void BatchWindow_Limits(int ms, bool valid)
    {
        var error = new ArtifactStoreOptions { BatchWindow = TimeSpan.FromMilliseconds(ms) }.Validate();
        Assert.Equal(valid, error is null);
        if (!valid)
        {
            Assert.Contains("DB_BATCH_WINDOW_MS", error, StringComparison.Ordinal);
        }
    }
}
