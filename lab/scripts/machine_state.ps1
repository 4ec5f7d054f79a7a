# What the harness asks of a running machine: whether this boot is the one restart.ps1 marked (the volatile key is
# gone after a restart), how long it has been up, what its clock says, and its domain.
$computer = Get-CimInstance -ClassName Win32_ComputerSystem
$uptime = [System.Diagnostics.Stopwatch]::GetTimestamp() / [System.Diagnostics.Stopwatch]::Frequency
Write-Answer @{ marked = (Test-Path -LiteralPath 'HKLM:\SOFTWARE\trustlab-boot'); uptime = [double]$uptime
                now = (Get-Date).ToUniversalTime().ToString('o')
                name = $computer.Name; domain = $computer.Domain; joined = [bool]$computer.PartOfDomain }
