using System.Security.Cryptography;
using System.Text;
using Linli.Domain.Common;
using Linli.Domain.Identity;
using Linli.Domain.Registry;
using Linli.Application.Common;
using Microsoft.EntityFrameworkCore;

namespace Linli.Application.Identity;

/// <summary>Why a sign-in failed. <see cref="WrongCode"/> is a phone-and-code sign-in's own: the person typed no password.</summary>
public enum SignInFailure { None, Invalid, LockedOut, NoHousehold, WrongCode }

public sealed record SignInOutcome(UserAccount? Account, Scope? Scope, SignInFailure Failure)
{
    public bool Succeeded => Failure == SignInFailure.None;
}

/// <summary>Checks passwords and one-time codes, counts failures, locks accounts out, and works out the scope to sign in with.</summary>
public sealed class SignInService(ILinliDb db, IPasswordHasher hasher, Domain.Common.IPersonalDataProtector protector,
    ISmsSender sms, TimeProvider time)
{
    public static readonly TimeSpan CodeLifetime = TimeSpan.FromMinutes(5);

    public async Task<SignInOutcome> WithPasswordAsync(string? userName, string? password, CancellationToken ct)
    {
        var name = (userName ?? "").Trim().ToLowerInvariant();
        var account = await db.Users.SingleOrDefaultAsync(u => u.UserName == name, ct);
        var now = time.GetUtcNow();
        if (account is null) return new(null, null, SignInFailure.Invalid);
        if (account.IsLockedOut(now)) return new(null, null, SignInFailure.LockedOut);
        if (string.IsNullOrEmpty(password) || !hasher.Verify(account, account.PasswordHash, password))
        {
            account.RecordFailedSignIn(now);
            await db.SaveChangesAsync(ct);
            return new(null, null, account.IsLockedOut(now) ? SignInFailure.LockedOut : SignInFailure.Invalid);
        }
        return await SucceedAsync(account, ct);
    }

    /// <summary>Sends a code if the phone belongs to an account; answers the same either way so numbers cannot be probed.</summary>
    public async Task RequestCodeAsync(PhoneNumber phone, CancellationToken ct)
    {
        var index = protector.BlindIndex(phone.Value);
        if (!await db.Users.AnyAsync(u => u.PhoneIndex == index, ct)) return;
        var code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("000000", System.Globalization.CultureInfo.InvariantCulture);
        db.OneTimeCodes.Add(new OneTimeCode(index, Hash(code), time.GetUtcNow() + CodeLifetime));
        await db.SaveChangesAsync(ct);
        await sms.SendAsync(phone.Value, $"【邻里】您的登录验证码是 {code}，5 分钟内有效。请勿告诉他人。", ct);
    }

    public async Task<SignInOutcome> WithCodeAsync(PhoneNumber phone, string? code, CancellationToken ct)
    {
        var index = protector.BlindIndex(phone.Value);
        var account = await db.Users.FirstOrDefaultAsync(u => u.PhoneIndex == index, ct);
        var now = time.GetUtcNow();
        if (account is null) return new(null, null, SignInFailure.WrongCode);
        if (account.IsLockedOut(now)) return new(null, null, SignInFailure.LockedOut);
        var pending = await db.OneTimeCodes.Where(c => c.PhoneIndex == index && !c.Used).OrderByDescending(c => c.Id).FirstOrDefaultAsync(ct);
        if (pending is null || !pending.TryRedeem(Hash(code ?? ""), now))
        {
            account.RecordFailedSignIn(now);
            await db.SaveChangesAsync(ct);
            return new(null, null, account.IsLockedOut(now) ? SignInFailure.LockedOut : SignInFailure.WrongCode);
        }
        return await SucceedAsync(account, ct);
    }

    async Task<SignInOutcome> SucceedAsync(UserAccount account, CancellationToken ct)
    {
        account.RecordSuccessfulSignIn();
        await db.SaveChangesAsync(ct);
        Room? household = null;
        if (account.Role == Role.Resident)
        {
            var roomId = await db.UnscopedResidentsForChecks().Where(r => r.Id == account.ResidentId).Select(r => r.RoomId).SingleOrDefaultAsync(ct);
            household = roomId is null ? null : await db.UnscopedRooms().AsNoTracking().SingleAsync(r => r.Id == roomId, ct);
            if (household is null) return new(null, null, SignInFailure.NoHousehold);
        }
        var nodeCommunity = await db.UnscopedNodes().Where(n => n.Id == account.NodeId).Select(n => n.CommunityId).SingleOrDefaultAsync(ct);
        return new(account, Scope.For(account.Role, account.NodeId, household, nodeCommunity), SignInFailure.None);
    }

    static string Hash(string code) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(code)));
}
