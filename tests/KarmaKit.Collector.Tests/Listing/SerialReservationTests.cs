using KarmaKit.Collector.Dns;
using KarmaKit.Collector.Listing;
using KarmaKit.Collector.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace KarmaKit.Collector.Tests.Listing;

public sealed class SerialReservationTests : TempDirectory
{
    private const uint Clock = 1_795_000_000;

    private string FilePath => Path.Combine(Dir, "data", "serial");

    private SerialReservation New() => new(FilePath, NullLogger.Instance);

    [Fact]
    public void Start_NoFile_ClockAndABlockReserved()
    {
        Assert.Equal(Clock, New().Start(Clock));
        Assert.Equal($"{Clock + SerialReservation.Block}\n", File.ReadAllText(FilePath));
    }

    [Fact]
    public void Start_AfterARunThatOutranTheClock_BeyondEveryPublishedSerial()
    {
        var first = New();
        var serial = first.Start(Clock);
        for (var i = 0; i < 3 * SerialReservation.Block; i++)
        {
            first.Cover(++serial); // a steady stream: many publications a second, the clock stands still
        }

        var restarted = New().Start(Clock + 60);

        Assert.True(SerialNumber.IsAfter(restarted, serial), $"restart at {restarted}, last published {serial}");
    }

    [Fact]
    public void Start_ClockAheadOfTheReservation_Clock()
    {
        New().Start(Clock);

        Assert.Equal(Clock + (2 * SerialReservation.Block), New().Start(Clock + (2 * SerialReservation.Block)));
    }

    [Fact]
    public void Cover_BeforeHalfTheBlock_NoWrite_ThenTheNextBlock()
    {
        var sut = New();
        sut.Start(Clock);
        var reserved = File.ReadAllText(FilePath);

        sut.Cover(Clock + (SerialReservation.Block / 2) - 1);
        Assert.Equal(reserved, File.ReadAllText(FilePath));

        sut.Cover(Clock + (SerialReservation.Block / 2));
        Assert.Equal($"{Clock + (SerialReservation.Block / 2) + SerialReservation.Block}\n", File.ReadAllText(FilePath));
    }

    [Fact]
    public void Start_SerialsWrapAround_Rfc1982Order()
    {
        File.WriteAllText(Path.Combine(Dir, "serial"), "5\n"); // reserved past the wrap: after 4,294,967,000
        var sut = new SerialReservation(Path.Combine(Dir, "serial"), NullLogger.Instance);

        Assert.Equal(5u, sut.Start(4_294_967_000));
    }

    [Fact]
    public void Start_UnwritableFile_StillServes()
    {
        File.WriteAllText(Path.Combine(Dir, "data"), "a file where the directory should be");

        Assert.Equal(Clock, New().Start(Clock));
    }

    [Fact]
    public void Cover_AfterAFailedWrite_RetriesAtTheNextPublication()
    {
        File.WriteAllText(Path.Combine(Dir, "data"), "a file where the directory should be");
        var sut = New();
        sut.Start(Clock);
        File.Delete(Path.Combine(Dir, "data"));

        sut.Cover(Clock + 1);

        Assert.Equal($"{Clock + 1 + SerialReservation.Block}\n", File.ReadAllText(FilePath));
    }

    [Fact]
    public void Start_UnreadableFile_Clock()
    {
        Directory.CreateDirectory(Path.Combine(Dir, "data"));
        File.WriteAllText(FilePath, "garbage");

        Assert.Equal(Clock, New().Start(Clock));
    }
}
