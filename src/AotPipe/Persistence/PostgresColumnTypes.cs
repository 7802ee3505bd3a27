using NpgsqlTypes;

namespace AotPipe.Persistence;

/// <summary>
/// Column types of the target table as found in the catalog. Binary COPY sends bare wire values, so they must match the
/// column types exactly: our tables use <c>json</c> and <c>timestamptz</c>, a legacy table may use <c>jsonb</c> or
/// <c>timestamp</c>.
/// </summary>
/// <param name="Payload">Type of <c>payload</c>: Json, Jsonb or Text.</param>
/// <param name="CreatedAt">Type of <c>created_at</c>: TimestampTz or Timestamp (naive UTC, as the original wrote it).</param>
internal readonly record struct PostgresColumnTypes(NpgsqlDbType Payload, NpgsqlDbType CreatedAt)
{
    /// <summary>Types of a table this gateway creates.</summary>
    public static PostgresColumnTypes Default => new(NpgsqlDbType.Json, NpgsqlDbType.TimestampTz);

    /// <summary>Maps <c>information_schema.columns.data_type</c> values.</summary>
    public static PostgresColumnTypes FromCatalog(string? payloadType, string? createdAtType) => new(
        payloadType switch
        {
            "jsonb" => NpgsqlDbType.Jsonb,
            "text" or "character varying" => NpgsqlDbType.Text,
            _ => NpgsqlDbType.Json,
        },
        createdAtType == "timestamp without time zone" ? NpgsqlDbType.Timestamp : NpgsqlDbType.TimestampTz);

    /// <summary>The wire value for <c>created_at</c>.</summary>
    public DateTime ToDbTime(DateTimeOffset value) => CreatedAt == NpgsqlDbType.Timestamp
        ? DateTime.SpecifyKind(value.UtcDateTime, DateTimeKind.Unspecified)
        : value.UtcDateTime;

    /// <summary>Reads <c>created_at</c> back (a naive timestamp is taken as UTC).</summary>
    public static DateTimeOffset FromDbTime(DateTime value) =>
        new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
