namespace Linli.Domain.Devices;

/// <summary>A stored data point (raw history, kept for the raw retention period). Written by the fast-path writer.</summary>
public sealed class StoredReading
{
    public long Id { get; private set; }
    public long DeviceId { get; private set; }
    public DateTimeOffset At { get; private set; }
    public string Metric { get; private set; } = "";
    public double Value { get; private set; }
    public string? Text { get; private set; }
    public bool IsEvent { get; private set; }

    StoredReading() { }

    public StoredReading(long deviceId, DateTimeOffset at, Reading reading)
    {
        DeviceId = deviceId;
        At = at;
        Metric = reading.Metric;
        Value = reading.Value;
        Text = reading.Text;
        IsEvent = reading.IsEvent;
    }
}

/// <summary>One hour of one metric of one device, rolled up from raw readings; kept much longer than the raw points.</summary>
public sealed class ReadingHour
{
    public long DeviceId { get; private set; }
    public string Metric { get; private set; } = "";
    public DateTimeOffset Hour { get; private set; }
    public int Count { get; private set; }
    public double Min { get; private set; }
    public double Max { get; private set; }
    public double Sum { get; private set; }

    ReadingHour() { }

    public ReadingHour(long deviceId, string metric, DateTimeOffset hour, int count, double min, double max, double sum)
    {
        DeviceId = deviceId;
        Metric = metric;
        Hour = hour;
        Count = count;
        Min = min;
        Max = max;
        Sum = sum;
    }

    public double Average => Count == 0 ? 0 : Sum / Count;
}
