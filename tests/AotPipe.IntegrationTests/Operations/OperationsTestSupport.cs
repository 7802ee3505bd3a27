using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using AotPipe.TestKit.Mock;

namespace AotPipe.IntegrationTests.Operations;

/// <summary>Keys and helpers shared by the operations tests.</summary>
internal static class OperationsTestSupport
{
    public const string AlphaKey = "sk-aotpipe-alpha-0123456789";
    public const string BetaKey = "sk-aotpipe-beta-9876543210";

    /// <summary>alpha as a plain key, beta as its SHA-256.</summary>
    public static string Keys => "alpha:" + AlphaKey + ",beta:sha256:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(BetaKey)));

    public static HttpRequestMessage Post(string path, HttpContent content, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return request;
    }

    public static HttpRequestMessage Get(string path, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return request;
    }

    /// <summary>Waits (bounded) until the mock has received <paramref name="count"/> requests.</summary>
    public static async Task WaitForRequestsAsync(MockOpenRouter mock, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (mock.Requests.Count < count)
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    /// <summary>Sends raw request bytes and returns the status line.</summary>
    public static async Task<string> RawStatusLineAsync(Uri baseAddress, string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(baseAddress.Host, baseAddress.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadLineAsync() ?? string.Empty;
    }
}
