using Linli.Domain.Identity;

namespace Linli.Application.Identity;

/// <summary>Hashes and checks account passwords; the stored hash carries its own algorithm, salt and work factor.</summary>
public interface IPasswordHasher
{
    string Hash(UserAccount account, string password);

    bool Verify(UserAccount account, string hash, string password);
}
