using System.Reflection;

namespace KarmaKit.Collector.Configuration;

/// <summary>
/// Every configuration key under a section that no options property takes, as full paths
/// (<c>Collector:Ingest:MaxBody</c>), so a typo is reported with its key, all of them at once.
/// </summary>
internal static class UnknownKeys
{
    public static List<string> Find(IConfigurationSection section, Type type)
    {
        var unknown = new List<string>();
        Walk(section, type, unknown);
        return unknown;
    }

    private static void Walk(IConfigurationSection section, Type type, List<string> unknown)
    {
        foreach (var child in section.GetChildren())
        {
            var property = type.GetProperty(child.Key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is null || !property.CanWrite)
            {
                unknown.Add(child.Path);
                continue;
            }

            var propertyType = property.PropertyType;
            if (propertyType.IsGenericType && propertyType.GetGenericTypeDefinition() == typeof(Dictionary<,>))
            {
                var valueType = propertyType.GetGenericArguments()[1];
                foreach (var entry in child.GetChildren())
                {
                    Walk(entry, valueType, unknown);
                }
            }
            else if (propertyType.IsClass && propertyType != typeof(string))
            {
                Walk(child, propertyType, unknown);
            }
        }
    }
}
