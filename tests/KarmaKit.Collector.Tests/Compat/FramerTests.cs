using System.Text;
using KarmaKit.Collector.Compat;

namespace KarmaKit.Collector.Tests.Compat;

public sealed class FramerTests
{
    private static string Status(string data, int pieceLength, bool eof = false) => ScanInPieces(data, pieceLength, eof: eof).ToString();

    private static FrameStatus ScanInPieces(string data, int pieceLength, int maxLineBytes = 10, int maxLines = 2, bool eof = false)
    {
        var sut = new Framer(maxLineBytes, maxLines);
        var bytes = Encoding.ASCII.GetBytes(data);
        var status = FrameStatus.NeedMore;
        for (var end = Math.Min(pieceLength, bytes.Length); ; end = Math.Min(end + pieceLength, bytes.Length))
        {
            status = sut.Scan(bytes.AsSpan(0, end));
            if (status is FrameStatus.LineTooLong or FrameStatus.TooManyLines || end == bytes.Length)
            {
                break;
            }
        }

        return eof && status is FrameStatus.NeedMore or FrameStatus.Complete ? sut.Finish(bytes) : status;
    }

    [Theory]
    [InlineData("black 1.2\n", nameof(FrameStatus.Complete))]
    [InlineData("black 1.2", nameof(FrameStatus.NeedMore))]
    [InlineData("0123456789\r\n", nameof(FrameStatus.Complete))]
    [InlineData("0123456789\r", nameof(FrameStatus.NeedMore))]
    [InlineData("0123456789x", nameof(FrameStatus.LineTooLong))]
    [InlineData("0123456789x\n", nameof(FrameStatus.LineTooLong))]
    [InlineData("a\nb\n", nameof(FrameStatus.Complete))]
    [InlineData("a\nb\nc", nameof(FrameStatus.TooManyLines))]
    [InlineData("a\n\n\n", nameof(FrameStatus.TooManyLines))]
    public void Scan_ByteByByteOrWhole_SameAnswer(string data, string expected)
    {
        Assert.Equal(expected, Status(data, 1));
        Assert.Equal(expected, Status(data, data.Length));
    }

    [Theory]
    [InlineData("", nameof(FrameStatus.Complete))]
    [InlineData("black 1.2", nameof(FrameStatus.Complete))]
    [InlineData("0123456789", nameof(FrameStatus.Complete))]
    [InlineData("0123456789\r", nameof(FrameStatus.Complete))]
    [InlineData("a\n0123456789x", nameof(FrameStatus.LineTooLong))]
    public void Finish_AtEof_TailIsTheLastLine(string data, string expected)
    {
        Assert.Equal(expected, Status(data, 3, eof: true));
    }
}
