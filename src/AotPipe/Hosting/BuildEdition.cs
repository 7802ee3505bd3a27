using AotPipe.Persistence;

namespace AotPipe.Hosting;

/// <summary>
/// Which edition this binary is: <c>full</c> (every feature, the default publish) or <c>lean</c> (published with
/// <c>-p:AotPipeEdition=lean</c>: no PostgreSQL store, no Redis cache; smaller image and idle RSS, perf-reports/footprint.md).
/// </summary>
public static class BuildEdition
{
    /// <summary><c>full</c>, <c>lean</c>, or <c>custom</c> when only one of the switches was turned off.</summary>
    public static string Name => NameFor(PostgreSqlSupport.IsSupported, RedisSupport.IsSupported);

    /// <summary>One line for <c>config</c> and <c>--version</c>: the edition and what it contains.</summary>
    public static string Description => DescribeFor(PostgreSqlSupport.IsSupported, RedisSupport.IsSupported);

    /// <summary>The edition name for the given switch values.</summary>
    internal static string NameFor(bool postgreSql, bool redis) => (postgreSql, redis) switch
    {
        (true, true) => "full",
        (false, false) => "lean",
        _ => "custom",
    };

    /// <summary>The description for the given switch values.</summary>
    internal static string DescribeFor(bool postgreSql, bool redis) =>
        $"{NameFor(postgreSql, redis)} edition (PostgreSQL store: {(postgreSql ? "yes" : "no")}, Redis cache: {(redis ? "yes" : "no")})";
}
