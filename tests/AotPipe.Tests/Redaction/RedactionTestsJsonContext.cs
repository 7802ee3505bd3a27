using System.Text.Json.Serialization;

namespace AotPipe.Tests.Redaction;

[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class RedactionTestsJsonContext : JsonSerializerContext;
