using System.Text;

namespace AotPipe.Tests.Artifacts.Codecs;

internal static class CodecTestData
{
    /// <summary>Compressible JSON-like bytes of exactly <paramref name="size"/> bytes.</summary>
    public static byte[] Json(int size)
    {
        StringBuilder builder = new("{\"type\":\"reasoning\",\"summary\":[");
        for (int i = 0; builder.Length < size; i++)
        {
            builder.Append("{\"type\":\"summary_text\",\"text\":\"step ").Append(i).Append(": check the invariant, then the edge case.\"},");
        }

        byte[] bytes = Encoding.UTF8.GetBytes(builder.ToString());
        return bytes[..size];
    }
}
