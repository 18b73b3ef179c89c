namespace KarmaKit.Collector.Configuration;

/// <summary>A configuration that cannot start the collector; the message names every bad key.</summary>
internal sealed class ConfigurationException : Exception
{
    public ConfigurationException(string message)
        : base(message)
    {
    }

    public ConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
