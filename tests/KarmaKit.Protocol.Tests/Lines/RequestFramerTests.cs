using System.Text;
using KarmaKit.Protocol.Lines;

namespace KarmaKit.Protocol.Tests.Lines;

public sealed class RequestFramerTests
{
    [Theory]
    [InlineData("black 1.2.3.4", nameof(FrameStatus.NeedMore), 0)]
    [InlineData("black 1.2.3.4\n", nameof(FrameStatus.AtLineEnd), 1)]
    [InlineData("black 1.2.3.4\r\nwhite 5.6.7.8\r\n", nameof(FrameStatus.AtLineEnd), 2)]
    [InlineData("black 1.2.3.4\nwhite 5.6", nameof(FrameStatus.NeedMore), 1)]
    [InlineData("\n\n", nameof(FrameStatus.AtLineEnd), 2)]
    [InlineData("", nameof(FrameStatus.NeedMore), 0)]
    public void Scan_Data_StatusAndLines(string data, string expected, int lines)
    {
        var sut = new RequestFramer(64, 4);

        var status = sut.Scan(Encoding.ASCII.GetBytes(data));

        Assert.Equal(Enum.Parse<FrameStatus>(expected), status);
        Assert.Equal(lines, sut.Lines);
    }

    [Fact]
    public void Scan_BytesArriveInPieces_SameResultAsAtOnce()
    {
        var data = "black 1.2.3.4\r\nwhite 5.6.7.8\n"u8.ToArray();
        var sut = new RequestFramer(64, 4);

        var statuses = Enumerable.Range(1, data.Length).Select(n => sut.Scan(data.AsSpan(0, n))).ToList();

        Assert.Equal(FrameStatus.AtLineEnd, statuses[^1]);
        Assert.Equal(FrameStatus.AtLineEnd, statuses[14]);
        Assert.Equal(2, sut.Lines);
    }

    [Theory]
    [InlineData(8, "12345678\n", nameof(FrameStatus.AtLineEnd))]
    [InlineData(8, "12345678\r\n", nameof(FrameStatus.AtLineEnd))]
    [InlineData(8, "12345678\r", nameof(FrameStatus.NeedMore))]
    [InlineData(8, "123456789\n", nameof(FrameStatus.LineTooLong))]
    [InlineData(8, "123456789", nameof(FrameStatus.LineTooLong))]
    [InlineData(8, "12345678\rx", nameof(FrameStatus.LineTooLong))]
    public void Scan_LineLength_LimitExcludesCrLf(int max, string data, string expected)
    {
        var sut = new RequestFramer(max, 4);

        Assert.Equal(Enum.Parse<FrameStatus>(expected), sut.Scan(Encoding.ASCII.GetBytes(data)));
    }

    [Fact]
    public void Scan_AnyByteAfterTheLastAllowedLine_TooManyLines()
    {
        var sut = new RequestFramer(64, 2);

        Assert.Equal(FrameStatus.AtLineEnd, sut.Scan("a\nb\n"u8));
        Assert.Equal(FrameStatus.TooManyLines, sut.Scan("a\nb\nc"u8));
    }

    [Theory]
    [InlineData("black 1.2.3.4", nameof(FrameStatus.AtLineEnd), 1)]
    [InlineData("black 1.2.3.4\nwhite 5.6.7.8", nameof(FrameStatus.AtLineEnd), 2)]
    [InlineData("black 1.2.3.4\n", nameof(FrameStatus.AtLineEnd), 1)]
    [InlineData("", nameof(FrameStatus.NeedMore), 0)]
    [InlineData("123456789", nameof(FrameStatus.LineTooLong), 0)]
    [InlineData("12345678\r", nameof(FrameStatus.AtLineEnd), 1)]
    public void Finish_AtEof_UnterminatedTailIsTheLastLine(string data, string expected, int lines)
    {
        var sut = new RequestFramer(data.StartsWith('1') ? 8 : 64, 4);

        var status = sut.Finish(Encoding.ASCII.GetBytes(data));

        Assert.Equal(Enum.Parse<FrameStatus>(expected), status);
        Assert.Equal(lines, sut.Lines);
    }

    [Theory]
    [InlineData("black 1.2\n", nameof(FrameStatus.AtLineEnd))]
    [InlineData("black 1.2", nameof(FrameStatus.NeedMore))]
    [InlineData("0123456789\r\n", nameof(FrameStatus.AtLineEnd))]
    [InlineData("0123456789\r", nameof(FrameStatus.NeedMore))]
    [InlineData("0123456789x", nameof(FrameStatus.LineTooLong))]
    [InlineData("0123456789x\n", nameof(FrameStatus.LineTooLong))]
    [InlineData("a\nb\n", nameof(FrameStatus.AtLineEnd))]
    [InlineData("a\nb\nc", nameof(FrameStatus.TooManyLines))]
    [InlineData("a\n\n\n", nameof(FrameStatus.TooManyLines))]
    public void Scan_ByteByByteOrWhole_SameAnswer(string data, string expected)
    {
        Assert.Equal(expected, ScanInPieces(data, 1).ToString());
        Assert.Equal(expected, ScanInPieces(data, data.Length).ToString());
    }

    [Fact]
    public void MaxRequestBytes_EveryLineFullWithCrLf() => Assert.Equal(16 * 1026, RequestFramer.MaxRequestBytes(1024, 16));

    private static FrameStatus ScanInPieces(string data, int pieceLength)
    {
        var sut = new RequestFramer(10, 2);
        var bytes = Encoding.ASCII.GetBytes(data);
        for (var end = Math.Min(pieceLength, bytes.Length); ; end = Math.Min(end + pieceLength, bytes.Length))
        {
            var status = sut.Scan(bytes.AsSpan(0, end));
            if (status is FrameStatus.LineTooLong or FrameStatus.TooManyLines || end == bytes.Length)
            {
                return status;
            }
        }
    }
}
