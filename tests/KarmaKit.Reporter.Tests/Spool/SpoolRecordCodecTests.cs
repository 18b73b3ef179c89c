using KarmaKit.Protocol;
using KarmaKit.Reporter.Spool;
using static KarmaKit.Reporter.Tests.Spool.TempSpool;

namespace KarmaKit.Reporter.Tests.Spool;

public sealed class SpoolRecordCodecTests
{
    [Theory]
    [InlineData("192.0.2.1", null)]
    [InlineData("2001:db8::42", "virus Eicar-Test-Signature")]
    [InlineData("::ffff:203.0.113.9", "spam score=12.3 ünïcödé")]
    public void Write_ThenRead_RoundTrips(string subject, string? reason)
    {
        var entry = Entry(subject, reason, Verb.White);
        var buffer = new byte[SpoolRecordCodec.MaxRecordSize];

        var length = SpoolRecordCodec.Write(buffer, 42, 1_764_177_538_123, entry);
        var status = SpoolRecordCodec.Check(buffer.AsSpan(0, length), out var checkedLength, out var sequence);
        var record = SpoolRecordCodec.Read(buffer.AsSpan(0, length));

        Assert.Equal(SpoolRecordCodec.SizeOf(entry), length);
        Assert.Equal(RecordStatus.Whole, status);
        Assert.Equal(length, checkedLength);
        Assert.Equal(42, sequence);
        Assert.Equal(new SpoolRecord(42, new DateTime(2025, 11, 26, 17, 18, 58, 123, DateTimeKind.Utc), Verb.White, entry.Subject, reason), record);
    }

    [Fact]
    public void Write_LongestRecord_FitsMaxRecordSize()
    {
        var entry = Entry("2001:db8::1", new string('r', 200));
        var buffer = new byte[SpoolRecordCodec.MaxRecordSize];

        Assert.Equal(SpoolRecordCodec.MaxRecordSize, SpoolRecordCodec.Write(buffer, 1, 0, entry));
    }

    [Fact]
    public void Check_AnyFlippedBit_IsInvalid()
    {
        var buffer = new byte[SpoolRecordCodec.MaxRecordSize];
        var length = SpoolRecordCodec.Write(buffer, 7, 1000, Entry("192.0.2.1", "auth"));

        for (var i = 0; i < length; i++)
        {
            var copy = buffer[..length];
            copy[i] ^= 0x10;
            Assert.NotEqual(RecordStatus.Whole, SpoolRecordCodec.Check(copy, out _, out _));
        }
    }

    [Fact]
    public void Check_Truncated_IsIncomplete()
    {
        var buffer = new byte[SpoolRecordCodec.MaxRecordSize];
        var length = SpoolRecordCodec.Write(buffer, 7, 1000, Entry("192.0.2.1", "auth"));

        Assert.Equal(RecordStatus.Incomplete, SpoolRecordCodec.Check(buffer.AsSpan(0, length - 1), out _, out _));
        Assert.Equal(RecordStatus.Incomplete, SpoolRecordCodec.Check(buffer.AsSpan(0, 3), out _, out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(245)]
    [InlineData(-1)]
    public void Check_LengthOutOfBounds_IsInvalid(int length)
    {
        var buffer = new byte[300];
        BitConverter.TryWriteBytes(buffer, length);

        Assert.Equal(RecordStatus.Invalid, SpoolRecordCodec.Check(buffer, out _, out _));
    }
}
