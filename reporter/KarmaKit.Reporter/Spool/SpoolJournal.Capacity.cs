namespace KarmaKit.Reporter.Spool;

/// <summary>The size cap: appends beyond <c>Reporter:Journal:MaxBytes</c> are refused, loudly, until delivery frees space.</summary>
internal sealed partial class SpoolJournal
{
    // Writer-loop state.
    private bool _full;
    private DateTimeOffset _fullSince;
    private DateTimeOffset _fullLogged;
    private long _refusedSinceFull;
    private long _refusedSinceLog;

    private void RefuseFull(AppendRequest request)
    {
        _done.Add((request, new AppendResult(AppendStatus.SpoolFull, 0)));
        var now = _time.GetUtcNow();
        if (!_full)
        {
            _full = true;
            _fullSince = _fullLogged = now;
            _refusedSinceFull = _refusedSinceLog = 0;
            _logger.SpoolFull(TotalBytes, _options.MaxBytes);
        }

        _refusedSinceFull++;
        _refusedSinceLog++;
        if (now - _fullLogged >= TimeSpan.FromMinutes(1))
        {
            _logger.SpoolStillFull(TotalBytes, _options.MaxBytes, _refusedSinceLog, _fullLogged);
            _fullLogged = now;
            _refusedSinceLog = 0;
        }
    }

    /// <summary>An append was written: if the spool was full, say that it no longer is.</summary>
    private void NoteAccepted()
    {
        if (_full)
        {
            _logger.SpoolNoLongerFull(_refusedSinceFull, _fullSince, TotalBytes, _options.MaxBytes);
            _full = false;
        }
    }
}
