using System.Text.Json;
using System.Text.Json.Nodes;

namespace KarmaKit.Collector.Reporters;

/// <summary>
/// <c>{Collector:Data}/reporters.json</c>: the tokens <c>reporters add</c> made, hashes only, in the shape of the
/// configuration (<c>{"Collector":{"Reporters":{"NAME":{"Token":"sha256:..."}}}}</c>) so the collector reads it as its
/// lowest configuration layer. Written to a temporary file, synced and renamed; mode 0600.
/// </summary>
internal static class ReporterTokenFile
{
    public static SortedDictionary<string, string> Read(string path)
    {
        var result = new SortedDictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (!File.Exists(path))
        {
            return result;
        }

        var root = JsonNode.Parse(File.ReadAllText(path));
        if (root?["Collector"]?["Reporters"] is JsonObject reporters)
        {
            foreach (var (name, entry) in reporters)
            {
                if (entry?["Token"]?.GetValue<string>() is { } token)
                {
                    result[name] = token;
                }
            }
        }

        return result;
    }

    public static void Write(string path, IReadOnlyDictionary<string, string> tokens)
    {
        var reporters = new JsonObject();
        foreach (var (name, token) in tokens)
        {
            reporters[name] = new JsonObject { ["Token"] = token };
        }

        var root = new JsonObject { ["Collector"] = new JsonObject { ["Reporters"] = reporters } };
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var file = new FileStream(temporary, options))
        {
            using (var writer = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = true }))
            {
                root.WriteTo(writer);
            }

            file.WriteByte((byte)'\n');
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
