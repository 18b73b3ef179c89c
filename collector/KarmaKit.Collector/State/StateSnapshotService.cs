namespace KarmaKit.Collector.State;

/// <summary>Writes the state snapshot every <c>Collector:State:SnapshotInterval</c> (the one at stop comes from the feed).</summary>
internal sealed class StateSnapshotService : BackgroundService
{
    private readonly SubjectStateFeed _feed;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;

    public StateSnapshotService(SubjectStateFeed feed, Configuration.CollectorOptions options, TimeProvider time)
    {
        _feed = feed;
        _interval = options.State.SnapshotInterval;
        _time = time;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (_feed.Startup is not null)
                {
                    await Task.Run(_feed.SaveSnapshot, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }
}
