//! Parser throughput on generated console logs: a clean 100 MB log (only the prefilter
//! should touch it) and one with a KASAN report every megabyte.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const SIZE: usize = 100 << 20;

/// Ordinary boot and runtime chatter with printk prefixes, as a clean console shows it.
const CLEAN: &[&str] = &[
    "audit: type=1400 audit(1750384805.360:363): avc:  denied  { read } for  pid=91 comm=\"syslogd\" name=\"log\" dev=\"sda1\" ino=2010",
    "netdevsim netdevsim2 netdevsim2: set [1, 0] type 2 family 0 port 6081 - 0",
    "EXT4-fs (sda1): mounted filesystem with ordered data mode. Opts: (null)",
    "IPv6: ADDRCONF(NETDEV_CHANGE): wlan0: link becomes ready",
    "loop0: detected capacity change from 0 to 264192",
    "usb 1-1: new high-speed USB device number 2 using dummy_hcd",
];

const CRASH: &str = "==================================================================
BUG: KASAN: use-after-free in snd_seq_queue_alloc+0x670/0x690
Read of size 4 at addr ffff8801d0c6b080 by task syz-executor/1234
CPU: 1 PID: 1234 Comm: syz-executor Not tainted 4.14.0+ #1
Call Trace:
 dump_stack+0x194/0x257
 print_address_description+0x73/0x250
 kasan_report+0x25b/0x340
 snd_seq_queue_alloc+0x670/0x690
 snd_seq_ioctl_create_queue+0xb0/0x330
 snd_seq_ioctl+0x2a0/0x3e0
 do_vfs_ioctl+0x1b1/0x1520
 SyS_ioctl+0x8f/0xc0
 entry_SYSCALL_64_fastpath+0x1f/0xbe
==================================================================";

fn log(crash_every: Option<usize>) -> Vec<u8> {
    let mut out = Vec::with_capacity(SIZE + 4096);
    let mut t = 0u64;
    let mut next_crash = crash_every.unwrap_or(usize::MAX);
    while out.len() < SIZE {
        t += 1;
        let lines: Vec<&str> = if out.len() >= next_crash {
            next_crash += crash_every.unwrap_or(usize::MAX);
            CRASH.lines().collect()
        } else {
            vec![CLEAN[(t as usize) % CLEAN.len()]]
        };
        for l in lines {
            out.extend_from_slice(
                format!(
                    "[{:5}.{:06}][ T{}] {l}\n",
                    t / 1000,
                    t % 1_000_000,
                    100 + t % 7
                )
                .as_bytes(),
            );
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let clean = log(None);
    let crashy = log(Some(1 << 20));
    let mut g = c.benchmark_group("parse");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(clean.len() as u64));
    g.bench_function("clean-100MB", |b| {
        b.iter(|| std::hint::black_box(culprit_report::parse(&clean)))
    });
    g.throughput(Throughput::Bytes(crashy.len() as u64));
    g.bench_function("crash-every-MB-100MB", |b| {
        b.iter(|| std::hint::black_box(culprit_report::parse(&crashy)))
    });
    g.bench_function("first-crash-every-MB-100MB", |b| {
        b.iter(|| std::hint::black_box(culprit_report::first(&crashy)))
    });
    g.finish();
}

mod group {
    #![allow(missing_docs)]
    use super::*;
    criterion_group!(benches, bench);
}

criterion_main!(group::benches);
