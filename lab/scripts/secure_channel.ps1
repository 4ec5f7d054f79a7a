# The secure channel as a technician checks it: nltest /sc_verify (SC-1, SC-2) and Test-ComputerSecureChannel (SC-3).
param([Parameter(Mandatory = $true)] [string] $Domain)

$nltest = Invoke-Native -FilePath 'nltest.exe' -ArgumentList @("/sc_verify:$Domain")
$status = $null
foreach ($line in $nltest.Lines) {
    if ($line -match 'Trust Verification Status = (\d+)') {
        $status = [int]$Matches[1]
    } elseif ($null -eq $status -and $line -match 'Trusted DC Connection Status Status = (\d+)') {
        $status = [int]$Matches[1]
    } elseif ($line -match 'I_NetLogonControl failed: Status = (\d+)') {
        $status = [int]$Matches[1]
    }
}
$test = $null
try {
    $test = [bool](Test-ComputerSecureChannel -ErrorAction Stop)
} catch {
    $test = $false
}
Write-Answer @{ exit_code = $nltest.ExitCode; status = $status; lines = $nltest.Lines; test = $test }
