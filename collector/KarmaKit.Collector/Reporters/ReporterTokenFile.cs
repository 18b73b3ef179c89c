using System.Text.Json;
using System.Text.Json.Nodes;
using KarmaKit.Collector.Storage;

namespace KarmaKit.Collector.Reporters;

/// <summary>
/// <c>{Collector:Data}/reporters.json</c>: the tokens <c>reporters add</c> made, hashes only, in the shape of the
/// configuration (<c>{"Collector":{"Reporters":{"NAME":{"Token":"sha256:..."}}}}</c>) so the collector reads it as its
/// lowest configuration layer. Replaced atomically (<see cref="AtomicFile"/>: temp file, fsync, rename, directory fsync); mode 0600.
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
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        AtomicFile.Write(path, stream =>
        {
            using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                root.WriteTo(writer);
            }

            stream.WriteByte((byte)'\n');
        }, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }
}
