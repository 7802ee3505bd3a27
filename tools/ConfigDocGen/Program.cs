using System.Text;
using AotPipe.Configuration;
using AotPipe.Tools;

// Writes docs/configuration.md (or the path given) from the settings catalog.
//   dotnet run --project tools/ConfigDocGen [-- OUTPUT] [--check]
// --check writes nothing and exits 1 when the file differs from what the catalog renders.
var check = args.Contains("--check");
var output = args.FirstOrDefault(a => a != "--check") ?? Path.Combine(RepositoryRoot.Find(), "docs", "configuration.md");
var rendered = ConfigurationReference.Render();

if (check)
{
    var current = File.Exists(output) ? File.ReadAllText(output).Replace("\r\n", "\n", StringComparison.Ordinal) : "";
    if (current == rendered)
    {
        Console.WriteLine($"{output} is up to date");
        return 0;
    }

    Console.Error.WriteLine($"{output} differs from the settings catalog; run: dotnet run --project tools/ConfigDocGen");
    return 1;
}

Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
File.WriteAllText(output, rendered, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
Console.WriteLine($"wrote {output}");
return 0;
