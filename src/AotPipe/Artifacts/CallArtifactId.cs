using System.Security.Cryptography;
using System.Text;

namespace AotPipe.Artifacts;

/// <summary>The artifact id under which a tool-call turn's reasoning is stored: derived, not random, so that the
/// next request can find it from the assistant message's <c>tool_calls[].id</c> alone (DESIGN.md section 4).</summary>
/// <remarks>The id is a 20-character Crockford string like every artifact id, computed from SHA-256 over the scope,
/// chat id and call id with length prefixes, so equal call ids in different chats or scopes never meet.</remarks>
internal static class CallArtifactId
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    /// <summary>Length of every artifact id.</summary>
    public const int Length = 20;

    /// <summary>The id for <paramref name="callId"/> within (scope, chat).</summary>
    public static string For(string scope, string chatId, string callId)
    {
        var input = new StringBuilder();
        foreach (var part in (ReadOnlySpan<string>)["aotpipe-call-artifact", scope, chatId, callId])
        {
            input.Append(part.Length).Append(':').Append(part).Append('|');
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(input.ToString()), hash);
        Span<char> id = stackalloc char[Length];

        // 20 characters x 5 bits = 100 bits taken from the digest, most significant first.
        for (var i = 0; i < Length; i++)
        {
            var bit = i * 5;
            var value = ((hash[bit / 8] << 8) | hash[(bit / 8) + 1]) >> (11 - (bit % 8));
            id[i] = Alphabet[value & 31];
        }

        return new string(id);
    }
}
