#!/bin/bash
# Build a small Debian 12 Vagrant box for the libvirt provider from Debian's packages, without loop devices or
# mounts: mmdebstrap makes the root tree, `mke2fs -d` the root file system, mtools/syslinux a FAT boot partition
# (syslinux for BIOS, systemd-boot for UEFI from the same partition), sfdisk the MBR disk; qemu-img makes the qcow2.
# The box: kernel, sshd, sudo, a `vagrant` user (password vagrant) with Vagrant's well-known insecure public key,
# systemd-networkd with DHCP on eth0 (net.ifnames=0), ethtool/iproute2 for link checks, serial console on ttyS0.
#
# Moved here from the issue-22 research (/work/notes/issue22-hypervisor.md §1); benchmarks/libvirt_real.py runs it once
# and keeps the box in its cache.
#
#   build_box.sh OUT.box [SIZE_GIB]      (as root; host needs mmdebstrap syslinux mtools dosfstools
#                                          systemd-boot-efi fdisk qemu-utils e2fsprogs)
set -euo pipefail
out=${1:?usage: build_box.sh OUT.box [SIZE_GIB]}
size_gib=${2:-4}
work=$(mktemp -d "$(dirname "$(realpath -m "$out")")/boxbuild.XXXXXX")
trap 'rm -rf "$work"' EXIT
start=$(date +%s.%N)

# Vagrant's insecure public key as the installed vagrant ships it (hashicorp/vagrant keys/vagrant.pub).
pub=$(ls /usr/share/rubygems-integration/all/gems/vagrant-*/keys/vagrant.pub 2>/dev/null | head -1)
[ -n "$pub" ] || pub=/opt/vagrant/embedded/gems/gems/vagrant-*/keys/vagrant.pub
sources=/etc/apt/sources.list.d/debian.sources       # the host's Debian mirror (deb822), pasted into the chroot

mmdebstrap --variant=apt --aptopt='APT::Install-Recommends "false"' \
  --include=linux-image-amd64,systemd-sysv,udev,openssh-server,sudo,iproute2,ethtool,iputils-ping,kmod,ifupdown,procps,less,dbus \
  --customize-hook='echo trustlab-box > "$1/etc/hostname"' \
  --customize-hook="cp '$pub' \"\$1/tmp/vagrant.pub\"" \
  --customize-hook='chroot "$1" useradd -m -s /bin/bash -G sudo vagrant' \
  --customize-hook='echo vagrant:vagrant | chroot "$1" chpasswd' \
  --customize-hook='echo root:vagrant | chroot "$1" chpasswd' \
  --customize-hook='install -d -m 700 -o 1000 -g 1000 "$1/home/vagrant/.ssh"' \
  --customize-hook='install -m 600 -o 1000 -g 1000 "$1/tmp/vagrant.pub" "$1/home/vagrant/.ssh/authorized_keys"; rm "$1/tmp/vagrant.pub"' \
  --customize-hook='echo "vagrant ALL=(ALL) NOPASSWD: ALL" > "$1/etc/sudoers.d/vagrant"; chmod 440 "$1/etc/sudoers.d/vagrant"' \
  --customize-hook='echo "UseDNS no" > "$1/etc/ssh/sshd_config.d/vagrant.conf"' \
  --customize-hook='printf "[Match]\nName=eth0\n\n[Network]\nDHCP=ipv4\n" > "$1/etc/systemd/network/eth0.network"' \
  --customize-hook='chroot "$1" systemctl enable systemd-networkd' \
  --customize-hook='chroot "$1" systemctl mask systemd-networkd-wait-online.service' \
  --customize-hook='rm -f "$1/etc/machine-id"; touch "$1/etc/machine-id"' \
  --customize-hook='rm -rf "$1"/var/cache/apt/archives/*.deb "$1"/var/lib/apt/lists/*' \
  bookworm "$work/root" "$sources"
t_strap=$(date +%s.%N)

uuid=$(cat /proc/sys/kernel/random/uuid)
echo "UUID=$uuid / ext4 errors=remount-ro 0 1" > "$work/root/etc/fstab"
kernel=$(ls "$work"/root/boot/vmlinuz-* | tail -1); initrd=$(ls "$work"/root/boot/initrd.img-* | tail -1)
cmdline="root=UUID=$uuid ro net.ifnames=0 console=tty0 console=ttyS0,115200"

# The disk: 1 MiB gap, a 64 MiB FAT boot partition (active), the rest ext4 root.
boot_mib=64
total_mib=$((size_gib * 1024))
root_mib=$((total_mib - 1 - boot_mib))
mkfs.fat -n BOOT -C "$work/boot.fat" $((boot_mib * 1024)) >/dev/null
syslinux --install "$work/boot.fat"
printf 'DEFAULT linux\nTIMEOUT 0\nPROMPT 0\nSERIAL 0 115200\nLABEL linux\n  KERNEL /vmlinuz\n  INITRD /initrd.img\n  APPEND %s\n' \
  "$cmdline" > "$work/syslinux.cfg"
mkdir -p "$work/esp/EFI/BOOT" "$work/esp/loader/entries"
cp /usr/lib/systemd/boot/efi/systemd-bootx64.efi "$work/esp/EFI/BOOT/BOOTX64.EFI"
printf 'default debian.conf\ntimeout 0\n' > "$work/esp/loader/loader.conf"
printf 'title Debian\nlinux /vmlinuz\ninitrd /initrd.img\noptions %s\n' "$cmdline" > "$work/esp/loader/entries/debian.conf"
mcopy -i "$work/boot.fat" "$kernel" ::/vmlinuz
mcopy -i "$work/boot.fat" "$initrd" ::/initrd.img
mcopy -i "$work/boot.fat" "$work/syslinux.cfg" ::/syslinux.cfg
mcopy -s -i "$work/boot.fat" "$work/esp/EFI" "$work/esp/loader" ::/

mke2fs -q -t ext4 -L root -U "$uuid" -d "$work/root" "$work/root.ext4" "${root_mib}M"
rm -rf "$work/root"

truncate -s "${total_mib}M" "$work/disk.raw"
printf 'label: dos\nstart=1MiB, size=%sMiB, type=c, bootable\nstart=%sMiB, type=83\n' "$boot_mib" $((1 + boot_mib)) \
  | sfdisk -q "$work/disk.raw"
dd if=/usr/lib/syslinux/mbr/mbr.bin of="$work/disk.raw" bs=440 count=1 conv=notrunc status=none
dd if="$work/boot.fat" of="$work/disk.raw" bs=1M seek=1 conv=notrunc,sparse status=none
dd if="$work/root.ext4" of="$work/disk.raw" bs=1M seek=$((1 + boot_mib)) conv=notrunc,sparse status=none
rm "$work/boot.fat" "$work/root.ext4"

mkdir "$work/box"
qemu-img convert -O qcow2 "$work/disk.raw" "$work/box/box.img"
printf '{"provider": "libvirt", "format": "qcow2", "virtual_size": %s}\n' "$size_gib" > "$work/box/metadata.json"
cat > "$work/box/Vagrantfile" <<'EOF'
# The box's own defaults (vagrant-libvirt's box format: box.img + metadata.json + Vagrantfile).
Vagrant.configure("2") do |config|
  config.vm.provider :libvirt do |libvirt|
    libvirt.driver = "qemu"
    libvirt.cpu_mode = "custom"
    libvirt.cpu_model = "qemu64"
    libvirt.disk_bus = "virtio"
  end
end
EOF
tar -C "$work/box" -cf "$out" metadata.json Vagrantfile box.img
end=$(date +%s.%N)
awk -v o="$out" -v b="$(stat -c %s "$out")" -v s="$start" -v m="$t_strap" -v e="$end" \
  'BEGIN { printf "box %s: %d bytes; mmdebstrap %.0f s, image %.0f s, total %.0f s\n", o, b, m - s, e - m, e - s }'
