using Linli.Domain.Devices;

namespace Linli.Application.Devices;

/// <summary>
/// Who listens to the devices (the alarm module's rules do). The device module tells every registered observer of each
/// message once it is stored and applied to the device's <see cref="DeviceEntry.Readings"/>, and of each tick of the device
/// clock, for what changes with time alone ("no data for 30 minutes"). It knows nothing of what an observer does with it.
/// </summary>
/// <remarks>
/// Both calls are on the hot path of ingestion (tens of thousands of messages a second on one writer thread): return at
/// once, allocate as little as possible, never wait (no I/O, no database, no <c>await</c>) and never throw; hand any slow
/// work to a queue of your own.
/// </remarks>
public interface IDeviceObserver
{
    /// <summary>
    /// A stored message was applied to <paramref name="device"/>'s readings, whose events are those of this message. Called
    /// on the ingestion writer, holding the device's <see cref="DeviceEntry.Gate"/>; <paramref name="now"/> is the
    /// platform's clock for the stored batch.
    /// </summary>
    void MessageApplied(DeviceEntry device, DeviceMessage message, DateTimeOffset now);

    /// <summary>
    /// The device clock ticked (every <see cref="DeviceOptions.TickSeconds"/>). Called without any device's lock: take a
    /// device's <see cref="DeviceEntry.Gate"/> while reading its readings.
    /// </summary>
    void Tick(DateTimeOffset now);

    /// <summary>
    /// This node is taking the device over from another (several nodes): forget what was remembered of it; the stored
    /// messages follow through <see cref="Replayed"/>. Called holding the device's gate.
    /// </summary>
    void Forget(DeviceEntry device) { }

    /// <summary>
    /// A stored message applied again while the device's state is rebuilt: remember what it changes, act on nothing (what it
    /// caused was acted on when it first came). Called holding the device's gate, <paramref name="at"/> the message's time.
    /// </summary>
    void Replayed(DeviceEntry device, DeviceMessage message, DateTimeOffset at) { }
}
