# On the Windows host, before Vagrant starts a lab VM (a Vagrantfile trigger): Vagrant gives a Hyper-V VM one adapter
# on the switch it is told (hashicorp/vagrant plugins/providers/hyperv/action/configure.rb) and creates no private
# network, so the lab network is made here, as rgl/windows-domain-controller-vagrant does for its DC: an Internal
# switch `trustlab` and a second adapter on it with the lab MAC, present before the first boot so that
# provisioning and the golden snapshot have it. Checkpoints keep memory (Standard), as the golden snapshot needs.
param(
    [Parameter(Mandatory = $true)] [string] $VMId,
    [Parameter(Mandatory = $true)] [string] $MacAddress,
    [Parameter(Mandatory = $true)] [string] $SwitchName
)

$ErrorActionPreference = 'Stop'
if ($null -eq (Hyper-V\Get-VMSwitch -Name $SwitchName -ErrorAction SilentlyContinue)) {
    Hyper-V\New-VMSwitch -Name $SwitchName -SwitchType Internal | Out-Null
}
$vm = Hyper-V\Get-VM -Id $VMId
$wanted = $MacAddress.ToUpperInvariant()
$lab = Hyper-V\Get-VMNetworkAdapter -VM $vm | Where-Object { $_.MacAddress -eq $wanted } | Select-Object -First 1
if ($null -eq $lab) {
    Hyper-V\Add-VMNetworkAdapter -VM $vm -SwitchName $SwitchName -StaticMacAddress $wanted
} elseif ($lab.SwitchName -ne $SwitchName) {
    # Vagrant's Configure, which runs before this trigger at every `vagrant up` or `reload`, connects every adapter
    # of the VM to its own switch (hashicorp/vagrant plugins/providers/hyperv/scripts/configure_vm.ps1:78-85,
    # utils/VagrantVM/VagrantVM.psm1:755-764 Set-VagrantVMSwitch; action.rb:145-159): the lab adapter goes back.
    Hyper-V\Connect-VMNetworkAdapter -VMNetworkAdapter $lab -SwitchName $SwitchName
}
Hyper-V\Set-VM -VM $vm -CheckpointType Standard
Write-Output "trustlab: $($vm.Name) has its lab adapter $wanted on $SwitchName"
