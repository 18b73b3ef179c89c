using KarmaKit.Collector.State;

namespace KarmaKit.Collector.Listing;

/// <summary>
/// Expiry: every decision says when it can next change without a new report (<see cref="ListingDecision.ReviewAt"/>).
/// Keys wait in a priority queue by that time (one live entry per key, the earliest; a stale entry costs one
/// re-evaluation), and a one-shot timer on the engine's <see cref="TimeProvider"/> wakes at the earliest, at most
/// once a second, re-evaluates what is due and publishes the changes with a new serial. Chosen over evaluating
/// expiry lazily in <c>TryGet</c>: the serial must announce every visible change, and the zone export and AXFR need
/// the list itself to change.
/// </summary>
internal sealed partial class ListingEngine
{
    private static readonly TimeSpan MinimumReviewDelay = TimeSpan.FromSeconds(1);

    /// <summary>Timers take at most about 49 days; a later review wakes once a day to re-arm.</summary>
    private static readonly TimeSpan MaximumReviewDelay = TimeSpan.FromDays(1);

    private readonly ITimer _timer;
    private readonly PriorityQueue<UInt128, uint> _due = new();
    private readonly Dictionary<UInt128, uint> _reviewAt = [];
    private uint _scheduled = uint.MaxValue;

    /// <summary>Keys waiting for a review (tests, metrics).</summary>
    public int PendingReviews
    {
        get
        {
            lock (_write)
            {
                return _reviewAt.Count;
            }
        }
    }

    private void AddReview(UInt128 key, uint at)
    {
        if (_reviewAt.TryGetValue(key, out var existing) && existing <= at)
        {
            return; // an earlier review is queued; it re-queues this one when it runs
        }

        _reviewAt[key] = at;
        _due.Enqueue(key, at);
    }

    private void ClearReviews()
    {
        _due.Clear();
        _reviewAt.Clear();
        _scheduled = uint.MaxValue;
    }

    /// <summary>Arms the timer for the earliest review, when that is earlier than what it is armed for.</summary>
    private void ScheduleReview()
    {
        if (!_due.TryPeek(out _, out var at) || at >= _scheduled)
        {
            return;
        }

        var now = _time.GetUtcNow().UtcDateTime;
        var delay = StateTime.ToDateTime(at)!.Value - now;
        _scheduled = at;
        _timer.Change(delay < MinimumReviewDelay ? MinimumReviewDelay : delay > MaximumReviewDelay ? MaximumReviewDelay : delay, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The timer's work: re-evaluate the keys that are due and publish.</summary>
    private void Review()
    {
        try
        {
            lock (_write)
            {
                _scheduled = uint.MaxValue;
                var now = StateTime.FromDateTime(_time.GetUtcNow().UtcDateTime);
                _touched.Clear();
                while (_due.TryPeek(out var key, out var at) && at <= now)
                {
                    _due.Dequeue();
                    if (_reviewAt.TryGetValue(key, out var wanted) && wanted == at)
                    {
                        _reviewAt.Remove(key);
                        _touched.Add(key);
                    }
                }

                ReevaluateTouched();
            }
        }
        catch (Exception ex)
        {
            _logger.ListingReviewFailed(ex);
        }
    }
}
