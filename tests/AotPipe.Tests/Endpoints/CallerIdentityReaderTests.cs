using System.Text.Json.Nodes;
using AotPipe.Endpoints;
using AotPipe.Security.Auth;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace AotPipe.Tests.Endpoints;

public sealed class CallerIdentityReaderTests
{
    private static DefaultHttpContext Context(string? tenant)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers["X-OpenWebUI-User-Id"] = "user-1";
        if (tenant is not null)
        {
            context.Features.Set<ITenantFeature>(new TenantFeature(tenant));
        }

        return context;
    }

    [Fact]
    public void NoTenantFeature_DefaultTenant()
    {
        var identity = CallerIdentityReader.Read(Context(null), new JsonObject());

        Assert.Equal("default/user-1", identity.Scope);
    }

    [Fact]
    public void SameUserTwoTenants_DifferentScopes()
    {
        var alpha = CallerIdentityReader.Read(Context("alpha"), new JsonObject());
        var beta = CallerIdentityReader.Read(Context("beta"), new JsonObject());

        Assert.Equal("alpha/user-1", alpha.Scope);
        Assert.Equal("beta/user-1", beta.Scope);
    }
}
