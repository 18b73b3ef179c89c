using KarmaKit.Collector.Export;
using KarmaKit.Collector.Tests.Support;

namespace KarmaKit.Collector.Tests.Export;

public class AtomicFileTests : TempDirectory
{
    [Fact]
    public void Write_WhileWriting_OldFileWholeAndNewOneHidden()
    {
        var path = Path.Combine(Dir, "bl.example.org.ip4set");
        File.WriteAllText(path, "old\n");
        string? seen = null;
        string[] visible = [];

        AtomicFile.Write(path, w =>
        {
            w.Write(new byte[200_000]); // past the writer's buffer: part of it is on disk already
            w.Flush();
            seen = File.ReadAllText(path);
            visible = [.. Directory.GetFiles(Dir).Select(p => Path.GetFileName(p)).Where(n => !n.StartsWith('.'))];
            w.Write("new\n");
        });

        Assert.Equal("old\n", seen);
        Assert.Equal(["bl.example.org.ip4set"], visible);
        Assert.Equal(200_004, new FileInfo(path).Length);
        Assert.Equal(["bl.example.org.ip4set"], Directory.GetFiles(Dir).Select(Path.GetFileName));
    }

    [Fact]
    public void Write_IoErrorMidWay_OldFileKeptAndTempRemoved()
    {
        var path = Path.Combine(Dir, "bl.example.org.zone");
        File.WriteAllText(path, "old\n");

        var sut = Assert.Throws<IOException>(() => AtomicFile.Write(path, w =>
        {
            w.Write(new byte[100_000]);
            w.Flush();
            throw new IOException("No space left on device");
        }));

        Assert.Equal("No space left on device", sut.Message);
        Assert.Equal("old\n", File.ReadAllText(path));
        Assert.False(File.Exists(AtomicFile.TempPath(path)));
    }

    [Fact]
    public void Write_DirectoryGone_IoErrorNoFile()
    {
        var path = Path.Combine(Dir, "missing", "bl.example.org.zone");

        Assert.ThrowsAny<IOException>(() => AtomicFile.Write(path, w => w.Write("x\n")));

        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Write_NewFile_ContentAndLength()
    {
        var path = Path.Combine(Dir, "wl.example.org.zone");

        var sut = AtomicFile.Write(path, w => w.Write("café\n"));

        Assert.Equal(6, sut);
        Assert.Equal("café\n", File.ReadAllText(path));
    }
}
