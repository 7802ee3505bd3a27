using Yarp.ReverseProxy.Configuration;

// A minimal YARP 2.3 reverse proxy: every path goes to the upstream given by --upstream (default the mock).
//   yarp-baseline --urls http://127.0.0.1:PORT --upstream http://127.0.0.1:9100/
var upstream = "http://127.0.0.1:9100/";
for (var i = 0; i < args.Length - 1; i++)
{
    if (args[i] == "--upstream")
    {
        upstream = args[i + 1];
    }
}

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var routes = new[]
{
    new RouteConfig { RouteId = "all", ClusterId = "upstream", Match = new RouteMatch { Path = "{**catch-all}" } },
};
var clusters = new[]
{
    new ClusterConfig
    {
        ClusterId = "upstream",
        Destinations = new Dictionary<string, DestinationConfig>(StringComparer.Ordinal) { ["d1"] = new DestinationConfig { Address = upstream } },
        HttpClient = new HttpClientConfig { MaxConnectionsPerServer = int.MaxValue },
    },
};
builder.Services.AddReverseProxy().LoadFromMemory(routes, clusters);
var app = builder.Build();
app.MapReverseProxy();
await app.RunAsync();
