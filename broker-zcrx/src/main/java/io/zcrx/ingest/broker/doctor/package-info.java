/**
 * {@code zcrx-doctor} ({@code bin/zcrx-doctor.sh}): checks, without changing anything, whether this machine can run
 * the zcrx transport for one interface, queue and port, and prints the {@code ethtool} commands still missing.
 * {@code Doctor} gathers kernel, capability and NIC facts (sysfs, the ethtool ioctl in {@code EthtoolIoctl} and
 * netlink family in {@code EthtoolNetlink}, with {@code EthtoolLayout}) and decides; {@code DoctorReport} prints
 * (docs/kernel-abi.md#nic-requirements). A separate command with its own {@code main}, single-threaded. Depends on
 * {@code uring} and {@code uring.zcrx} only.
 */
package io.zcrx.ingest.broker.doctor;
