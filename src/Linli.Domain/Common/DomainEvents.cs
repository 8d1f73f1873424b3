namespace Linli.Domain.Common;

/// <summary>Something that happened to an aggregate and that other parts of the platform react to after it is committed.</summary>
public interface IDomainEvent
{
    DateTimeOffset At { get; }
}

/// <summary>
/// An aggregate that records domain events as it changes. The persistence layer takes them when the change is saved
/// (ids are known by then), writes them to the outbox in the same transaction and delivers them after the commit.
/// </summary>
public interface IHasDomainEvents
{
    bool HasPendingEvents { get; }

    /// <summary>The events recorded since the last call, built from the state as saved; recording starts afresh.</summary>
    IReadOnlyList<IDomainEvent> TakeEvents();
}
