# On the Windows host: what trustlab does to a lab VM's hardware on Hyper-V (trustlab/backends/vagrant/providers.py).
# Every value arrives as a named parameter; nothing here builds code from it.
param(
    [Parameter(Mandatory = $true)]
    [ValidateSet('state', 'start', 'stop', 'cable', 'replace_nic', 'snapshot', 'restore', 'remove_switch')]
    [string] $Action,
    [string] $VMId = '',
    [string] $MacAddress = '',
    [string] $SwitchName = '',
    [string] $Name = ''
)

$ErrorActionPreference = 'Stop'
if ($Action -eq 'remove_switch') {
    Hyper-V\Get-VMSwitch -Name $SwitchName -ErrorAction SilentlyContinue | Hyper-V\Remove-VMSwitch -Force
    return
}
$vm = Hyper-V\Get-VM -Id $VMId

function Get-LabVMAdapter {
    # The adapter with the lab MAC; Hyper-V shows MAC addresses as 12 hex digits.
    $wanted = $MacAddress.ToUpperInvariant()
    $adapter = Hyper-V\Get-VMNetworkAdapter -VM $vm | Where-Object { $_.MacAddress -eq $wanted } | Select-Object -First 1
    if ($null -eq $adapter) {
        throw "the VM $($vm.Name) has no network adapter with the lab MAC $wanted"
    }
    return $adapter
}

if ($Action -eq 'state') {
    Write-Output ([string]$vm.State)
} elseif ($Action -eq 'start') {
    Hyper-V\Start-VM -VM $vm
} elseif ($Action -eq 'stop') {
    Hyper-V\Stop-VM -VM $vm -TurnOff -Force
} elseif ($Action -eq 'cable') {
    $adapter = Get-LabVMAdapter
    if ($SwitchName) {
        Hyper-V\Connect-VMNetworkAdapter -VMNetworkAdapter $adapter -SwitchName $SwitchName
    } else {
        Hyper-V\Disconnect-VMNetworkAdapter -VMNetworkAdapter $adapter
    }
} elseif ($Action -eq 'replace_nic') {
    Hyper-V\Remove-VMNetworkAdapter -VMNetworkAdapter (Get-LabVMAdapter)
    Hyper-V\Add-VMNetworkAdapter -VM $vm -SwitchName $SwitchName -StaticMacAddress $MacAddress.ToUpperInvariant()
} elseif ($Action -eq 'snapshot') {
    Hyper-V\Get-VMSnapshot -VM $vm -Name $Name -ErrorAction SilentlyContinue | Hyper-V\Remove-VMSnapshot
    Hyper-V\Checkpoint-VM -VM $vm -SnapshotName $Name
} elseif ($Action -eq 'restore') {
    # As Vagrant restores one: the VM stopped first, then the checkpoint applied, then started (a Standard
    # checkpoint leaves it Saved, and Start-VM resumes it): hashicorp/vagrant plugins/providers/hyperv/action.rb:261-283
    # (action_halt, SnapshotRestore, action_start), scripts/restore_snapshot.ps1:16.
    if ((Hyper-V\Get-VM -Id $VMId).State -ne 'Off') {
        Hyper-V\Stop-VM -VM $vm -TurnOff -Force
    }
    Hyper-V\Restore-VMSnapshot -VMSnapshot (Hyper-V\Get-VMSnapshot -VM $vm -Name $Name) -Confirm:$false
    if ((Hyper-V\Get-VM -Id $VMId).State -ne 'Running') {
        Hyper-V\Start-VM -VM $vm
    }
}
