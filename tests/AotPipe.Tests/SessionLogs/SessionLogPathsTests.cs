using AotPipe.SessionLogs;
using Xunit;

namespace AotPipe.Tests.SessionLogs;

public sealed class SessionLogPathsTests
{
    [Theory]
    [InlineData("user-42", "user-42")]
    [InlineData("../../etc/passwd", "etc_passwd")]
    [InlineData("..", "fallback")]
    [InlineData("...---___", "fallback")]
    [InlineData("", "fallback")]
    [InlineData(null, "fallback")]
    [InlineData("a b  c", "a_b_c")]
    [InlineData("üser@example.com", "ser_example.com")]
    [InlineData("x/../../y", "x_.._.._y")]
    [InlineData("C:\\Windows\\System32", "C_Windows_System32")]
    [InlineData("  .hidden  ", "hidden")]
    [InlineData("name\0with\nnul", "name_with_nul")]
    public void SanitizeComponent_MapsToSafeName(string? value, string expected)
    {
        Assert.Equal(expected, SessionLogPaths.SanitizeComponent(value, "fallback"));
    }

    [Fact]
    public void SanitizeComponent_AtLimit_IsKept()
    {
        string value = new('a', SessionLogPaths.MaxComponentLength);
        Assert.Equal(value, SessionLogPaths.SanitizeComponent(value, "f"));
    }

    [Fact]
    public void SanitizeComponent_PastLimit_IsCut()
    {
        string value = new string('a', SessionLogPaths.MaxComponentLength) + "b";
        Assert.Equal(new string('a', SessionLogPaths.MaxComponentLength), SessionLogPaths.SanitizeComponent(value, "f"));
    }

    [Fact]
    public void TryGetArchivePath_BuildsUserChatMessage()
    {
        string root = Path.Combine(Path.GetTempPath(), "logs-root");
        Assert.True(SessionLogPaths.TryGetArchivePath(root, new SessionLogIds("u1", "s", "c/1", "m:1", "r"), out string path));
        Assert.Equal(Path.Combine(Path.GetFullPath(root), "u1", "c_1", "m_1.zip"), path);
    }

    [Fact]
    public void TryGetArchivePath_WithTenant_AddsLeadingFolderAndFallbacks()
    {
        string root = Path.Combine(Path.GetTempPath(), "logs-root");
        Assert.True(SessionLogPaths.TryGetArchivePath(root, new SessionLogIds(null, null, "..", "", "r", Tenant: "team a"), out string path));
        Assert.Equal(Path.Combine(Path.GetFullPath(root), "team_a", "user", "chat", "message.zip"), path);
    }

    [Theory]
    [InlineData("../../../../tmp/evil")]
    [InlineData("/etc/cron.d/x")]
    [InlineData("..")]
    [InlineData("../..")]
    public void TryGetArchivePath_TraversalAttempts_StayInsideTheBase(string hostile)
    {
        string root = Path.GetFullPath(Path.Combine(Path.GetTempPath(), "logs-root"));
        Assert.True(SessionLogPaths.TryGetArchivePath(root, new SessionLogIds(hostile, null, hostile, hostile, "r", hostile), out string path));
        Assert.StartsWith(root + Path.DirectorySeparatorChar, path, StringComparison.Ordinal);
        Assert.DoesNotContain("..", path.Replace(root, string.Empty, StringComparison.Ordinal).Split(Path.DirectorySeparatorChar));
    }

    [Theory]
    [InlineData("/base", "/base/a", true)]
    [InlineData("/base", "/base", false)]
    [InlineData("/base", "/based/a", false)]
    [InlineData("/base", "/other", false)]
    public void IsInside_RequiresAStrictChild(string root, string path, bool expected)
    {
        Assert.Equal(expected, SessionLogPaths.IsInside(root, path));
    }
}
