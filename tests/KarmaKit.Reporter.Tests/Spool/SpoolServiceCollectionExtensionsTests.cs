using KarmaKit.Reporter.Configuration;
using KarmaKit.Reporter.Spool;
using Microsoft.Extensions.DependencyInjection;

namespace KarmaKit.Reporter.Tests.Spool;

public sealed class SpoolServiceCollectionExtensionsTests : IDisposable
{
    private readonly TempSpool _spool = new();

    public void Dispose() => _spool.Dispose();

    [Fact]
    public async Task AddReporterSpool_Resolved_OneJournalServesWriterAndQueueAndDisposalReleasesIt()
    {
        var services = new ServiceCollection()
            .AddSingleton(new ReporterOptions { Spool = _spool.Directory })
            .AddSingleton(TimeProvider.System)
            .AddLogging()
            .AddReporterSpool();
        var provider = services.BuildServiceProvider();

        var writer = provider.GetRequiredService<ISpoolWriter>();
        var queue = provider.GetRequiredService<ISpoolQueue>();
        var result = await writer.AppendAsync(new[] { TempSpool.Entry("192.0.2.1") }, CancellationToken.None);
        provider.Dispose();

        Assert.Same(writer, queue);
        Assert.Equal(AppendStatus.Ok, result.Status);
        await using var reopened = _spool.Open();
        Assert.Equal(1, reopened.CommittedSequence);
    }
}
