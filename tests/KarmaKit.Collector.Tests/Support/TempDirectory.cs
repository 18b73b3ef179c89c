namespace KarmaKit.Collector.Tests.Support;

/// <summary>A fresh directory per test class instance, deleted at the end.</summary>
public abstract class TempDirectory : IDisposable
{
    protected TempDirectory() => Dir = Directory.CreateTempSubdirectory("kk-collector-").FullName;

    protected string Dir { get; }

    public void Dispose()
    {
        Directory.Delete(Dir, recursive: true);
        GC.SuppressFinalize(this);
    }
}
