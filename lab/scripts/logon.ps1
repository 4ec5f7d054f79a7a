# Interactive logon (or unlock) as Winlogon does it: LogonUser from advapi32, returning the Win32 code and
# whether the session came from the cached verifier (logon type 11, CachedInteractive).
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

    const int TokenStatisticsClass = 10;

    // [Win32 error (0 on success), logon type of the new session (-1 when unknown)].
    public static int[] Logon(string user, string domain, string password, int logonType)
    {
        IntPtr token;
        if (!LogonUserW(user, domain, password, logonType, 0, out token))
        {
            return new int[] { Marshal.GetLastWin32Error(), -1 };
        }
        try
        {
            return new int[] { 0, SessionLogonType(token) };
        }
        finally
        {
            CloseHandle(token);
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
Write-Answer @{ win32 = $result[0]; logon_type = $result[1]; cached = ($result[1] -eq 11) }
