using System.Text;
using AotPipe.OpenApiDocGen;
using AotPipe.Tools;

// Writes src/AotPipe/Endpoints/openapi-v1.json (or the path given), the document the gateway serves at /openapi/v1.json.
//   dotnet run --project tools/OpenApiDocGen [-- OUTPUT] [--check]
// --check writes nothing and exits 1 when the file differs from what Microsoft.AspNetCore.OpenApi renders.
var check = args.Contains("--check");
var output = args.FirstOrDefault(a => a != "--check")
    ?? Path.Combine(RepositoryRoot.Find(), "src", "AotPipe", "Endpoints", "openapi-v1.json");
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
