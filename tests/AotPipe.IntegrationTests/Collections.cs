using Xunit;

namespace AotPipe.IntegrationTests;

/// <summary>Timing-sensitive tests run one at a time, so a busy two-core machine does not skew their clocks.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    public const string Name = "timing";
}
