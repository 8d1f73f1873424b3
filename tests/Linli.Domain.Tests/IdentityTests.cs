using Linli.Domain.Common;
using Linli.Domain.Identity;
using Linli.Domain.Registry;

namespace Linli.Domain.Tests;

public sealed class UserAccountTests
{
    static readonly DateTimeOffset T0 = new(2026, 3, 1, 9, 0, 0, TimeSpan.FromHours(8));

    static UserAccount Admin() => new("Admin1", "管理员", Role.CommunityAdmin, Places.Hierarchy().Community);

    [Fact]
    public void User_names_are_stored_trimmed_and_lowercase()
    {
        Assert.Equal("admin1", new UserAccount(" Admin1 ", "管理员", Role.CommunityAdmin, Places.Hierarchy().Community).UserName);
    }

    [Fact]
    public void A_role_must_be_held_at_its_kind_of_node()
    {
        var e = Assert.Throws<DomainException>(() => new UserAccount("grid1", "网格员", Role.GridWorker, Places.Hierarchy().Community));
        Assert.Equal("nodeId", e.Field);
    }

    [Fact]
    public void A_resident_account_needs_a_registered_resident()
    {
        var e = Assert.Throws<DomainException>(() => new UserAccount("r1", "居民", Role.Resident, Places.Hierarchy().Community));
        Assert.Equal("residentId", e.Field);
    }

    [Fact]
    public void Four_failures_do_not_lock_the_account()
    {
        var account = Admin();
        for (var i = 0; i < 4; i++) account.RecordFailedSignIn(T0.AddSeconds(i));
        Assert.False(account.IsLockedOut(T0.AddSeconds(5)));
    }

    [Fact]
    public void The_fifth_failure_locks_the_account_for_fifteen_minutes()
    {
        var account = Admin();
        for (var i = 0; i < UserAccount.MaxFailedSignIns; i++) account.RecordFailedSignIn(T0);
        Assert.True(account.IsLockedOut(T0));
        Assert.True(account.IsLockedOut(T0.AddMinutes(14).AddSeconds(59)));
        Assert.False(account.IsLockedOut(T0.AddMinutes(15)));
        Assert.False(account.IsLockedOut(T0.AddMinutes(16)));
    }

    [Fact]
    public void A_success_clears_the_failure_count()
    {
        var account = Admin();
        for (var i = 0; i < 4; i++) account.RecordFailedSignIn(T0);
        account.RecordSuccessfulSignIn();
        account.RecordFailedSignIn(T0);
        Assert.False(account.IsLockedOut(T0));
        Assert.Equal(1, account.FailedSignIns);
    }

    [Fact]
    public void After_the_lockout_ends_it_takes_five_new_failures_to_lock_again()
    {
        var account = Admin();
        for (var i = 0; i < 5; i++) account.RecordFailedSignIn(T0);
        var later = T0.AddMinutes(20);
        account.RecordFailedSignIn(later);
        Assert.False(account.IsLockedOut(later));
    }

    [Fact]
    public void The_phone_is_kept_only_protected_and_indexed()
    {
        var account = Admin();
        var protector = new FakeProtector();
        account.SetPhone(PhoneNumber.Parse("13812345678"), protector);
        Assert.Equal(protector.BlindIndex("13812345678"), account.PhoneIndex);
        Assert.Equal("13812345678", protector.Unprotect(account.PhoneProtected!));
        Assert.DoesNotContain("13812345678", account.PhoneProtected, StringComparison.Ordinal);
    }
}

public sealed class OneTimeCodeTests
{
    static readonly DateTimeOffset T0 = new(2026, 3, 1, 1, 0, 0, TimeSpan.Zero);

    static OneTimeCode Code() => new("phone-index", "right", T0.AddMinutes(5));

    [Fact]
    public void The_right_code_before_expiry_signs_in()
    {
        var code = Code();
        Assert.True(code.TryRedeem("right", T0.AddMinutes(1)));
        Assert.True(code.Used);
    }

    [Fact]
    public void A_code_is_good_until_the_moment_it_expires_and_not_after()
    {
        Assert.True(Code().TryRedeem("right", T0.AddMinutes(5)));
        Assert.False(Code().TryRedeem("right", T0.AddMinutes(5).AddTicks(1)));
    }

    [Fact]
    public void A_wrong_code_fails()
    {
        var code = Code();
        Assert.False(code.TryRedeem("wrong", T0));
        Assert.False(code.Used);
        Assert.Equal(1, code.Attempts);
    }

    [Fact]
    public void After_five_wrong_attempts_even_the_right_code_fails()
    {
        var code = Code();
        for (var i = 0; i < OneTimeCode.MaxAttempts; i++) Assert.False(code.TryRedeem("wrong", T0));
        Assert.False(code.TryRedeem("right", T0));
    }

    [Fact]
    public void Four_wrong_attempts_still_leave_room_for_the_right_one()
    {
        var code = Code();
        for (var i = 0; i < OneTimeCode.MaxAttempts - 1; i++) code.TryRedeem("wrong", T0);
        Assert.True(code.TryRedeem("right", T0));
    }

    [Fact]
    public void A_code_works_only_once()
    {
        var code = Code();
        Assert.True(code.TryRedeem("right", T0));
        Assert.False(code.TryRedeem("right", T0));
    }
}

public sealed class ScopeTests
{
    [Theory]
    [InlineData(Role.GridWorker, ScopeLevel.Grid)]
    [InlineData(Role.PropertyStaff, ScopeLevel.Community)]
    [InlineData(Role.CommunityAdmin, ScopeLevel.Community)]
    [InlineData(Role.ServiceProvider, ScopeLevel.Community)]
    [InlineData(Role.StreetOfficer, ScopeLevel.Street)]
    [InlineData(Role.DistrictOfficer, ScopeLevel.District)]
    public void Staff_see_the_subtree_of_the_node_they_hold_their_role_at(Role role, ScopeLevel level)
    {
        Assert.Equal(new Scope(level, 42), Scope.For(role, 42, null));
    }

    [Fact]
    public void A_resident_sees_their_household()
    {
        var room = Places.Room(id: 100);
        var scope = Scope.For(Role.Resident, room.CommunityId, room);
        Assert.Equal(new Scope(ScopeLevel.Household, 100, HouseholdBuildingId: 10, CommunityId: 3), scope);
    }

    [Fact]
    public void A_resident_without_a_household_sees_nothing()
    {
        Assert.Equal(Scope.None, Scope.For(Role.Resident, 3, null));
    }

    [Fact]
    public void Only_admins_and_grid_workers_may_edit_residents_or_unmask()
    {
        var editors = Enum.GetValues<Role>().Where(r => r.Has(Permission.EditResidents)).ToHashSet();
        Assert.Equal(new HashSet<Role> { Role.GridWorker, Role.CommunityAdmin }, editors);
        var unmaskers = Enum.GetValues<Role>().Where(r => r.Has(Permission.Unmask)).ToHashSet();
        Assert.Equal(new HashSet<Role> { Role.GridWorker, Role.CommunityAdmin }, unmaskers);
        Assert.False(Role.ServiceProvider.Has(Permission.ReadResidents));
        Assert.False(Role.Resident.Has(Permission.ReadAudit));
    }
}
