using System.Text;
using KarmaKit.Protocol.Lines;

namespace KarmaKit.Protocol.Tests.Lines;

public sealed class LineRepliesTests
{
    [Fact]
    public void WriteError_EveryLineError_OneErrorLineWithItsCodeWithinMaxLineBytes()
    {
        foreach (var error in Enum.GetValues<LineError>().Where(e => e != LineError.None))
        {
            var buffer = new byte[LineReplies.MaxLineBytes];
            var length = LineReplies.WriteError(buffer, error);
            var line = Encoding.ASCII.GetString(buffer, 0, length);

            Assert.Matches("^error [a-z-]+ [ -~]+\n$", line);
            Assert.Equal(1, line.Count(c => c == '\n'));
        }
    }

    [Fact]
    public void WriteError_InvalidSubject_SaysSubject()
    {
        var buffer = new byte[LineReplies.MaxLineBytes];
        var length = LineReplies.WriteError(buffer, LineError.InvalidSubject);

        Assert.StartsWith("error subject ", Encoding.ASCII.GetString(buffer, 0, length), StringComparison.Ordinal);
    }

    [Fact]
    public void LimitReplies_NameTheLimit()
    {
        Assert.Equal("error too-long line longer than 1024 bytes\n", Encoding.ASCII.GetString(LineReplies.TooLong(1024)));
        Assert.Equal("error too-many-lines more than 16 lines in one request\n", Encoding.ASCII.GetString(LineReplies.TooManyLines(16)));
        Assert.Equal("error busy too many connections\n", Encoding.ASCII.GetString(LineReplies.Busy));
    }
}
