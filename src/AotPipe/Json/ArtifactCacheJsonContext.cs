using System.Text.Json.Serialization;
using AotPipe.Persistence;

namespace AotPipe.Json;

/// <summary>Cached artifact rows in the optional Redis read cache: the row exactly as stored (payload still sealed).</summary>
[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Default)]
[JsonSerializable(typeof(ArtifactRecord))]
internal sealed partial class ArtifactCacheJsonContext : JsonSerializerContext
{
}
