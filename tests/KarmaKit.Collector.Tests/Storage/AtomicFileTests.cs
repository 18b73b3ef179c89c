using System.Runtime.Versioning;
using System.Text;
using KarmaKit.Collector.Export;
using KarmaKit.Collector.Storage;
using KarmaKit.Collector.Tests.Support;

namespace KarmaKit.Collector.Tests.Storage;

public class AtomicFileTests : TempDirectory
{
    [Fact]
    public void Write_WhileWriting_OldFileWholeAndNewOneHidden()
    {
        var path = Path.Combine(Dir, "bl.example.org.ip4set");
        File.WriteAllText(path, "old\n");
        string? seen = null;
        string[] visible = [];

        AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[200_000]); // on disk already: the stream is unbuffered
            seen = File.ReadAllText(path);
            visible = [.. Directory.GetFiles(Dir).Select(p => Path.GetFileName(p)).Where(n => !n.StartsWith('.'))];
            stream.Write("new\n"u8);
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

        var sut = Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[100_000]);
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

        Assert.ThrowsAny<IOException>(() => AtomicFile.Write(path, "x\n"u8));

        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Write_Bytes_ReplaceTheFile()
    {
        var path = Path.Combine(Dir, "serial");
        File.WriteAllText(path, "100000\n");

        AtomicFile.Write(path, "200000\n"u8);

        Assert.Equal("200000\n", File.ReadAllText(path));
        Assert.Equal(["serial"], Directory.GetFiles(Dir).Select(Path.GetFileName));
    }

    [Fact]
    [SupportedOSPlatform("linux")] // as CI
    public void Write_WithMode_NewFileHasIt()
    {
        var path = Path.Combine(Dir, "reporters.json");

        AtomicFile.Write(path, stream => stream.Write("{}\n"u8), UnixFileMode.UserRead | UnixFileMode.UserWrite);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public void ZoneTextWriterWriteFile_NewFile_ContentAndLength()
    {
        var path = Path.Combine(Dir, "wl.example.org.zone");

        var sut = ZoneTextWriter.WriteFile(path, w => w.Write(Encoding.UTF8.GetBytes("café\n")));

        Assert.Equal(6, sut);
        Assert.Equal("café\n", File.ReadAllText(path));
    }
}
