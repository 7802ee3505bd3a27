using System.Globalization;
using AotPipe.Artifacts;
using AotPipe.Configuration;
using AotPipe.Persistence;
using Microsoft.Extensions.Logging.Abstractions;

namespace AotPipe.Cli;

/// <summary><c>aotpipe rotate-artifact-key</c>: re-encrypts every row of the previous key's table into the current
/// key's table (the table name carries a hash of the key, DESIGN.md section 4).</summary>
/// <remarks>Resumable: rows are read in id order in batches and written with <c>ON CONFLICT DO NOTHING</c>, and the
/// last finished id is kept in a checkpoint file under <c>AOTPIPE_DATA_DIR</c>, so an interrupted run continues where it
/// stopped and a repeated run changes nothing. The old table is never modified.</remarks>
public static class RotateArtifactKeyCommand
{
    /// <summary>Rows read and re-encrypted per batch.</summary>
    public const int BatchRows = 256;

    private const int BarWidth = 30;

    /// <summary>Runs the rotation; 0 when every row was rotated, 1 when some could not be opened, 2 on bad configuration.</summary>
    public static async Task<int> RunAsync(IReadOnlyDictionary<string, string?> environment, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        GatewaySettings settings;
        try
        {
            settings = GatewaySettings.Load(environment);
        }
        catch (SettingsException ex)
        {
            await stderr.WriteLineAsync("aotpipe: configuration error: " + ex.Message);
            return GatewayCommandLine.ExitUsage;
        }

        if (settings.ArtifactKey is null || settings.ArtifactKeyPrevious is null)
        {
            await stderr.WriteLineAsync("aotpipe: configuration error: ARTIFACT_ENCRYPTION_KEY and ARTIFACT_ENCRYPTION_KEY_PREVIOUS must both be set.");
            return GatewayCommandLine.ExitUsage;
        }

        var options = new ArtifactStoreOptions { DataDirectory = settings.DataDirectory, BatchSize = settings.DbBatchSize, BatchWindow = settings.DbBatchWindow };
        if (!ArtifactStoreFactory.TryCreate(settings.DatabaseUrl, settings.PipeId, settings.ArtifactKeyPrevious, options, TimeProvider.System, NullLogger.Instance, out var source, out var error)
            || !ArtifactStoreFactory.TryCreate(settings.DatabaseUrl, settings.PipeId, settings.ArtifactKey, options, TimeProvider.System, NullLogger.Instance, out var target, out error))
        {
            await stderr.WriteLineAsync("aotpipe: configuration error: " + error);
            return GatewayCommandLine.ExitUsage;
        }

        await using (source)
        await using (target)
        {
            await source!.InitializeAsync(cancellationToken);
            await target!.InitializeAsync(cancellationToken);
            var codec = new ArtifactPayloadCodec(new ArtifactCryptoOptions(
                settings.ArtifactKey, settings.ArtifactKeyPrevious, settings.EncryptAll, ParseCompression(settings.ArtifactCompression), settings.MinCompressBytes));
            var checkpoint = Path.Combine(settings.DataDirectory, $"rotate-{source.Table.Name}-to-{target.Table.Name}.checkpoint");
            var after = File.Exists(checkpoint) ? (await File.ReadAllTextAsync(checkpoint, cancellationToken)).Trim() : null;
            await stdout.WriteLineAsync($"rotating {source.Table.Name} -> {target.Table.Name}" + (after is null ? string.Empty : $" (resuming after {after})"));

            long rotated = 0, failed = 0, batches = 0;
            while (true)
            {
                var rows = await source.ScanAsync(after, BatchRows, cancellationToken);
                if (rows.Count == 0)
                {
                    break;
                }

                var writes = new List<Task<ArtifactWriteResult>>(rows.Count);
                foreach (var row in rows)
                {
                    var old = new ArtifactAadContext(source.Table.Name, row.Id, row.ChatId, row.MessageId, row.ItemType, row.Scope ?? string.Empty);
                    if (!codec.TryDecode(row.Payload, row.IsEncrypted, old, out var item))
                    {
                        failed++;
                        continue;
                    }

                    var context = new ArtifactAadContext(target.Table.Name, row.Id, row.ChatId, row.MessageId, row.ItemType, row.Scope ?? string.Empty);
                    var payload = codec.Encode(item, context, out var isEncrypted);
                    writes.Add(target.AppendAsync(row with { Payload = payload, IsEncrypted = isEncrypted }, cancellationToken).AsTask());
                }

                // The batch is appended concurrently so the store's group commit writes it as one transaction.
                foreach (var result in await Task.WhenAll(writes))
                {
                    if (result is ArtifactWriteResult.Committed or ArtifactWriteResult.Spilled or ArtifactWriteResult.IdConflict)
                    {
                        rotated++;
                    }
                    else
                    {
                        failed++;
                    }
                }

                after = rows[^1].Id;
                Directory.CreateDirectory(settings.DataDirectory);
                await File.WriteAllTextAsync(checkpoint, after, cancellationToken);
                batches++;
                await stdout.WriteAsync(Progress(batches, rotated + failed));
            }

            await stdout.WriteLineAsync();
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"rotated {rotated} rows, {failed} could not be opened or written, {batches} batches"));
            return failed == 0 ? GatewayCommandLine.ExitOk : GatewayCommandLine.ExitNegative;
        }
    }

    /// <summary>A carriage-return progress line: the bar cycles per batch because the total is not counted up front
    /// (counting a large table would take as long as the rotation).</summary>
    private static string Progress(long batches, long rows)
    {
        var filled = (int)(batches % (BarWidth + 1));
        return string.Create(CultureInfo.InvariantCulture, $"\r[{new string('#', filled)}{new string('.', BarWidth - filled)}] {rows} rows");
    }

    private static ArtifactCompression ParseCompression(string value) => value switch
    {
        "zstd" => ArtifactCompression.Zstd,
        "none" => ArtifactCompression.None,
        _ => ArtifactCompression.Lz4,
    };
}
