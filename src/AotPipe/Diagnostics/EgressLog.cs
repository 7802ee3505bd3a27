using Microsoft.Extensions.Logging;

namespace AotPipe.Diagnostics;

/// <summary>Log lines of the egress guard and attachment ingestion. They carry the URL host, never a path, query or content.</summary>
internal static partial class EgressLog
{
    /// <summary>One line per attachment removed from a request.</summary>
    [LoggerMessage(EventId = 4100, EventName = "AttachmentRemoved", Level = LogLevel.Warning,
        Message = "Attachment removed: host={Host} reason={Reason} user={User}")]
    public static partial void AttachmentRemoved(ILogger logger, string host, string reason, string user);

    /// <summary>A remote attachment was downloaded and inlined.</summary>
    [LoggerMessage(EventId = 4101, EventName = "AttachmentInlined", Level = LogLevel.Debug,
        Message = "Attachment inlined: host={Host} type={MediaType} bytes={Length} user={User}")]
    public static partial void AttachmentInlined(ILogger logger, string host, string mediaType, long length, string user);
}
