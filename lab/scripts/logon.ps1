# Interactive logon (or unlock) as Winlogon does it: LogonUser from advapi32, returning the Win32 code and the new
# session's logon type; a logon or an unlock served from the cached verifier is CachedInteractive (11) or
# CachedUnlock (13) (LG-10). Winlogon then loads the user's profile, which LogonUser does not (LoadUserProfile does),
# so an interactive logon loads and unloads it here too: a profile exists afterwards, as at the console.
param(
    [Parameter(Mandatory = $true)] [string] $User,
    [Parameter(Mandatory = $true)] [string] $Domain,
    [Parameter(Mandatory = $true)] [string] $Password,
    [ValidateSet('interactive', 'unlock')] [string] $Kind = 'interactive'
)

Add-Type -TypeDefinition @'
using System;
using System.Runtime.InteropServices;

public static class TrustlabLogon
{
    [DllImport("advapi32.dll", SetLastError = true, CharSet = CharSet.Unicode)]
    static extern bool LogonUserW(string user, string domain, string password, int logonType, int provider, out IntPtr token);

    [DllImport("kernel32.dll")]
    static extern bool CloseHandle(IntPtr handle);

    [DllImport("advapi32.dll", SetLastError = true)]
    static extern bool GetTokenInformation(IntPtr token, int informationClass, IntPtr information, int length, out int returned);

    [DllImport("secur32.dll")]
    static extern int LsaGetLogonSessionData(IntPtr logonId, out IntPtr data);

    [DllImport("secur32.dll")]
    static extern int LsaFreeReturnBuffer(IntPtr buffer);

    [StructLayout(LayoutKind.Sequential)]
    struct Luid { public uint Low; public int High; }

    [StructLayout(LayoutKind.Sequential)]
    struct TokenStatistics
    {
        public Luid TokenId;
        public Luid AuthenticationId;
        public long ExpirationTime;
        public int TokenType;
        public int ImpersonationLevel;
        public int DynamicCharged;
        public int DynamicAvailable;
        public int GroupCount;
        public int PrivilegeCount;
        public Luid ModifiedId;
    }

    [StructLayout(LayoutKind.Sequential)]
    struct UnicodeString { public ushort Length; public ushort MaximumLength; public IntPtr Buffer; }

    [StructLayout(LayoutKind.Sequential)]
    struct LogonSessionData
    {
        public uint Size;
        public Luid LogonId;
        public UnicodeString UserName;
        public UnicodeString LogonDomain;
        public UnicodeString AuthenticationPackage;
        public uint LogonType;
    }

    [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]
    struct ProfileInfo
    {
        public int Size;
        public int Flags;
        public string UserName;
        public string ProfilePath;
        public string DefaultPath;
        public string ServerName;
        public string PolicyPath;
        public IntPtr Profile;
    }

    [DllImport("userenv.dll", SetLastError = true, CharSet = CharSet.Unicode)]
    static extern bool LoadUserProfileW(IntPtr token, ref ProfileInfo info);

    [DllImport("userenv.dll", SetLastError = true)]
    static extern bool UnloadUserProfile(IntPtr token, IntPtr profile);

    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    struct TokenPrivilege { public int Count; public Luid Luid; public int Attributes; }

    [DllImport("advapi32.dll", SetLastError = true, CharSet = CharSet.Unicode)]
    static extern bool LookupPrivilegeValueW(string system, string name, out Luid luid);

    [DllImport("advapi32.dll", SetLastError = true)]
    static extern bool OpenProcessToken(IntPtr process, int access, out IntPtr token);

    [DllImport("advapi32.dll", SetLastError = true)]
    static extern bool AdjustTokenPrivileges(IntPtr token, bool disableAll, ref TokenPrivilege state, int length,
                                             IntPtr previous, IntPtr returned);

    [DllImport("kernel32.dll")]
    static extern IntPtr GetCurrentProcess();

    const int TokenStatisticsClass = 10;
    const int Interactive = 2;

    // [Win32 error (0 on success), logon type of the new session (-1 when unknown), Win32 error of loading the
    // profile (0 when loaded or not tried)].
    public static int[] Logon(string user, string domain, string password, int logonType)
    {
        IntPtr token;
        if (!LogonUserW(user, domain, password, logonType, 0, out token))
        {
            return new int[] { Marshal.GetLastWin32Error(), -1, 0 };
        }
        try
        {
            int type = SessionLogonType(token);
            int profile = logonType == Interactive ? LoadProfile(token, user) : 0;
            return new int[] { 0, type, profile };
        }
        finally
        {
            CloseHandle(token);
        }
    }

    // LoadUserProfile needs SeBackupPrivilege and SeRestorePrivilege enabled in the caller (an administrator).
    static int LoadProfile(IntPtr token, string user)
    {
        Enable("SeBackupPrivilege");
        Enable("SeRestorePrivilege");
        ProfileInfo info = new ProfileInfo();
        info.Size = Marshal.SizeOf(typeof(ProfileInfo));
        info.Flags = 1;                                         // PI_NOUI
        info.UserName = user;
        if (!LoadUserProfileW(token, ref info))
        {
            return Marshal.GetLastWin32Error();
        }
        UnloadUserProfile(token, info.Profile);
        return 0;
    }

    static void Enable(string privilege)
    {
        IntPtr process;
        if (!OpenProcessToken(GetCurrentProcess(), 0x28, out process))
        {
            return;
        }
        try
        {
            TokenPrivilege state = new TokenPrivilege();
            state.Count = 1;
            state.Attributes = 2;
            if (LookupPrivilegeValueW(null, privilege, out state.Luid))
            {
                AdjustTokenPrivileges(process, false, ref state, 0, IntPtr.Zero, IntPtr.Zero);
            }
        }
        finally
        {
            CloseHandle(process);
        }
    }

    static int SessionLogonType(IntPtr token)
    {
        int size = Marshal.SizeOf(typeof(TokenStatistics));
        IntPtr buffer = Marshal.AllocHGlobal(size);
        IntPtr luid = Marshal.AllocHGlobal(Marshal.SizeOf(typeof(Luid)));
        try
        {
            int returned;
            if (!GetTokenInformation(token, TokenStatisticsClass, buffer, size, out returned))
            {
                return -1;
            }
            TokenStatistics statistics = (TokenStatistics)Marshal.PtrToStructure(buffer, typeof(TokenStatistics));
            Marshal.StructureToPtr(statistics.AuthenticationId, luid, false);
            IntPtr data;
            if (LsaGetLogonSessionData(luid, out data) != 0)
            {
                return -1;
            }
            try
            {
                LogonSessionData session = (LogonSessionData)Marshal.PtrToStructure(data, typeof(LogonSessionData));
                return (int)session.LogonType;
            }
            finally
            {
                LsaFreeReturnBuffer(data);
            }
        }
        finally
        {
            Marshal.FreeHGlobal(buffer);
            Marshal.FreeHGlobal(luid);
        }
    }
}
'@

$types = @{ interactive = 2; unlock = 7 }
$result = [TrustlabLogon]::Logon($User, $Domain, $Password, $types[$Kind])
Write-Answer @{ win32 = $result[0]; logon_type = $result[1]; cached = (@(11, 13) -contains $result[1])
                profile_error = $result[2] }
