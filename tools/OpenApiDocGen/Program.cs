using System.Text;
using AotPipe.OpenApiDocGen;

// Writes src/AotPipe/Endpoints/openapi-v1.json (or the path given), the document the gateway serves at /openapi/v1.json.
//   dotnet run --project tools/OpenApiDocGen [-- OUTPUT] [--check]
// --check writes nothing and exits 1 when the file differs from what Microsoft.AspNetCore.OpenApi renders.
var check = args.Contains("--check");
var output = args.FirstOrDefault(a => a != "--check")
    ?? Path.Combine(FindRepositoryRoot(), "src", "AotPipe", "Endpoints", "openapi-v1.json");
var rendered = await OpenApiDocumentRenderer.RenderAsync(OpenApiDocumentRenderer.PlaceholderHost);

if (check)
{
    var current = File.Exists(output) ? File.ReadAllText(output) : "";
    if (current == rendered)
    {
        Console.WriteLine($"{output} is up to date");
        return 0;
    }

    Console.Error.WriteLine($"{output} differs from the generator's rendering; run: dotnet run --project tools/OpenApiDocGen");
    return 1;
}

File.WriteAllText(output, rendered, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
Console.WriteLine($"wrote {output}");
return 0;

static string FindRepositoryRoot()
{
    for (var directory = new DirectoryInfo(Directory.GetCurrentDirectory()); directory is not null; directory = directory.Parent)
    {
        if (File.Exists(Path.Combine(directory.FullName, "AotPipe.sln")))
        {
            return directory.FullName;
        }
    }

    throw new InvalidOperationException("Run from inside the repository (AotPipe.sln not found above the current directory).");
}
