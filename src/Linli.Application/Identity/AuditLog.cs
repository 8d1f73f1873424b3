using Linli.Domain.Common;
using Linli.Domain.Identity;
using Linli.Application.Common;

namespace Linli.Application.Identity;

/// <summary>Writes who looked at or changed whose personal data. Entries carry the subject's scope keys, so an admin reads only their own area's log.</summary>
public sealed class AuditLog(ILinliDb db, CurrentUser user, TimeProvider time)
{
    public void Record(string action, ScopedEntity subject, string subjectType, int subjectId, string? detail = null) =>
        db.Audit.Add(new AuditEntry(time.GetUtcNow(), user.Id, user.UserName, action, subject, subjectType, subjectId, detail));
}
