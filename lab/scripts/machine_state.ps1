# When this machine booted and what its clock says: the harness tells a finished reboot by a new boot time.
$os = Get-CimInstance -ClassName Win32_OperatingSystem
$computer = Get-CimInstance -ClassName Win32_ComputerSystem
Write-Answer @{ booted = $os.LastBootUpTime.ToUniversalTime().ToString('o')
                now = (Get-Date).ToUniversalTime().ToString('o')
                name = $computer.Name; domain = $computer.Domain; joined = [bool]$computer.PartOfDomain }
