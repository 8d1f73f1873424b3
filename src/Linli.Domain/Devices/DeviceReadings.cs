namespace Linli.Domain.Devices;

/// <summary>
/// What the platform remembers about one device's readings between messages: its latest and previous value of each metric
/// and the events of the message being handled. Lives in memory; a device never heard from since the start counts as
/// silent since <see cref="TrackedSince"/>. Whoever reads it (the alarm rules) does so while the device is applying a
/// message or under the same lock.
/// </summary>
public sealed class DeviceReadings(long deviceId, DateTimeOffset trackedSince)
{
    Dictionary<string, Sample>? _last;
    Dictionary<string, Sample>? _previous;
    List<string>? _events;
    Dictionary<string, string>? _eventTexts;

    public long DeviceId { get; } = deviceId;
    /// <summary>When the platform started watching: a device never heard from counts as silent since then.</summary>
    public DateTimeOffset TrackedSince { get; } = trackedSince;
    public DateTimeOffset? LastSeen { get; private set; }

    public readonly record struct Sample(double Value, DateTimeOffset At);

    /// <summary>Takes in a message. Older messages (a device flushing its buffer) update last-seen but not the latest values.</summary>
    public void Apply(DeviceMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        _events?.Clear();
        _eventTexts?.Clear();
        if (LastSeen is null || message.At > LastSeen) LastSeen = message.At;
        foreach (var r in message.Readings)
        {
            if (r.IsEvent)
            {
                (_events ??= []).Add(r.Metric);
                if (r.Text is { Length: > 0 } text) (_eventTexts ??= [])[r.Metric] = text;
                continue;
            }
            _last ??= [];
            if (_last.TryGetValue(r.Metric, out var old))
            {
                if (message.At < old.At) continue;
                (_previous ??= [])[r.Metric] = old;
            }
            _last[r.Metric] = new Sample(r.Value, message.At);
        }
    }

    /// <summary>Forgets every value: the readings are about to be built again from what is stored, the device last seen at <paramref name="lastSeen"/>.</summary>
    public void Restart(DateTimeOffset? lastSeen)
    {
        _last?.Clear();
        _previous?.Clear();
        _events?.Clear();
        _eventTexts?.Clear();
        LastSeen = lastSeen;
    }

    /// <summary>Ends the moment of a message: its events no longer hold when the ticker looks later.</summary>
    public void EndMessage()
    {
        _events?.Clear();
        _eventTexts?.Clear();
    }

    public Sample? Latest(string metric) => _last is not null && _last.TryGetValue(metric, out var s) ? s : null;
    public Sample? Previous(string metric) => _previous is not null && _previous.TryGetValue(metric, out var s) ? s : null;
    /// <summary>Whether the message being handled carries the named event.</summary>
    public bool HasEvent(string name) => _events is not null && _events.Contains(name);
    /// <summary>The text the message being handled gave with the named event (a reader's "5 refusals at 3号楼1单元门"), if any.</summary>
    public string? EventText(string name) => _eventTexts is not null && _eventTexts.TryGetValue(name, out var t) ? t : null;
    public IEnumerable<KeyValuePair<string, Sample>> LatestValues => _last ?? [];
}
